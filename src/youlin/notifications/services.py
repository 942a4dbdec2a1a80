"""Notify people: one in-app row per recipient, and an e-mail copy queued after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from youlin.notifications.models import Notification


def notify(*, recipients: Iterable, title: str, body: str = "", url: str = "", exclude=None) -> list[Notification]:
    """Bulk-create notifications (the actor is usually excluded: nobody needs telling what they just did)."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not getattr(user, "pk", None) or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=str(title)[:200], body=str(body), url=url))
    created = Notification.objects.bulk_create(rows)
    if created:
        from youlin.notifications.tasks import send_notification_email

        emails = [(n.recipient_id, n.title, n.body) for n in created if n.recipient.email]
        transaction.on_commit(lambda: [send_notification_email.enqueue(*args) for args in emails])
    return created


@transaction.atomic
def notifications_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
