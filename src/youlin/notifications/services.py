"""Notify people: one in-app row per recipient, and an e-mail copy queued after the transaction commits, or kept
for the recipient's daily digest, as each recipient chose for that kind of notification."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.domain.errors import DomainError
from youlin.notifications.events import EVENTS, GENERAL
from youlin.notifications.models import EmailMode, Notification, NotificationPreference
from youlin.notifications.selectors import preferences_for


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    exclude=None,
    event: str = GENERAL,
) -> list[Notification]:
    """Bulk-create notifications (the actor is usually excluded: nobody needs telling what they just did). Each
    recipient's preference for ``event`` decides the bell, an e-mail now, or the daily digest (two queries and
    one insert however many they are)."""
    event = event if event in EVENTS else GENERAL
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user is None or not getattr(user, "pk", None) or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    chosen = preferences_for([u.pk for u in users], event)
    rows = []
    for user in users:
        in_app, email = chosen.get(user.pk, (True, EmailMode.INSTANT))
        if not user.email:
            email = EmailMode.NONE
        if not in_app and email == EmailMode.NONE:
            continue
        rows.append(
            Notification(
                recipient=user,
                event=event,
                title=str(title)[:200],
                body=str(body),
                url=url,
                in_app=in_app,
                digest=email == EmailMode.DIGEST,
            )
        )
    created = Notification.objects.bulk_create(rows)
    emails = [(n.recipient_id, n.title, n.body) for n in created if chosen_instant(chosen, n)]
    if emails:
        from youlin.notifications.tasks import send_notification_email

        transaction.on_commit(lambda: [send_notification_email.enqueue(*args) for args in emails])
    return created


def chosen_instant(chosen: dict, n: Notification) -> bool:
    return bool(n.recipient.email) and chosen.get(n.recipient_id, (True, EmailMode.INSTANT))[1] == EmailMode.INSTANT


@transaction.atomic
def notifications_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


class PreferenceError(DomainError):
    pass


@transaction.atomic
def notification_preferences_set(*, actor, choices: dict[str, tuple[bool, str]]) -> int:
    """Save how ``actor`` wants each kind of notification: {event: (in the bell, e-mail mode)}. Returns the rows
    written. A choice equal to the default is stored too, so the page shows what was chosen."""
    if actor is None or not actor.is_authenticated:
        raise PreferenceError.denied(_("请先登录。"))
    written = 0
    for event, (in_app, email) in choices.items():
        if event not in EVENTS:
            raise PreferenceError.invalid(_("通知类型不正确。"), field="event")
        if email not in EmailMode.values:
            raise PreferenceError.invalid(_("邮件方式不正确，请重新选择。"), field="email")
        NotificationPreference.objects.update_or_create(
            user=actor, event=event, defaults={"in_app": bool(in_app), "email": email}
        )
        written += 1
    return written
