"""Background work of area alerts: the sweep that sends subscribers what is new, every ten minutes."""

from __future__ import annotations

from django_tasks import task

from youlin.alerts import services


@task()
def send_area_alerts() -> int:
    """Send every live subscription what was published in its community or grid since the last sweep."""
    return services.alerts_send()


# (task, seconds between runs): ``youlin worker`` enqueues these on schedule (see ``youlin.scheduling``).
PERIODIC = [(send_area_alerts, 10 * 60)]
