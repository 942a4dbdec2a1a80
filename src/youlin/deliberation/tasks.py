"""Background work of deliberation: reminding overdue action items, which ``youlin worker`` does hourly."""

from __future__ import annotations

from django_tasks import task

from youlin.deliberation import services


@task()
def remind_overdue_action_items() -> int:
    """Remind the assignees of every overdue open action item; at most once a day per item, so running it
    hourly (or twice at once) reminds nobody twice."""
    return services.action_items_remind_overdue()


# (task, seconds between runs): ``youlin worker`` enqueues these on schedule (see ``youlin.scheduling``).
PERIODIC = [(remind_overdue_action_items, 60 * 60)]
