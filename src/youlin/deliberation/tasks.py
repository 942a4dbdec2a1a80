"""Background work of deliberation: reminding overdue action items (registered as periodic in ``apps``)."""

from __future__ import annotations

from django_tasks import task

from youlin.deliberation import services


@task()
def remind_overdue_action_items() -> int:
    """Remind the assignees of every overdue open action item; at most once a day per item, so running it
    hourly (or twice at once) reminds nobody twice."""
    return services.action_items_remind_overdue()
