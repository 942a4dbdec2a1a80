from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from youlin.notifications.events import EVENTS
from youlin.notifications.models import EmailMode, Notification, NotificationPreference


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


def inbox(user, *, before_id: int | None = None, limit: int = 30) -> list[Notification]:
    """Newest first, keyset-paginated on id (what the person chose to see in the bell)."""
    qs = Notification.objects.filter(recipient=user, in_app=True)
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    return list(qs.order_by("-pk")[:limit])


def preferences_for(user_ids: Sequence[int], event: str) -> dict[int, tuple[bool, str]]:
    """{user id: (in the bell, e-mail mode)} for those who chose something for ``event`` (one query)."""
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids), event=event)
    return {p.user_id: (p.in_app, p.email) for p in rows}


@dataclass(frozen=True)
class Choice:
    event: str
    label: str
    in_app: bool
    email: str


def preferences_of(user) -> list[Choice]:
    """Every kind of notification with this person's choice (the default where they chose nothing)."""
    chosen = {p.event: p for p in NotificationPreference.objects.filter(user=user)}
    out = []
    for event, label in EVENTS.items():
        p = chosen.get(event)
        out.append(Choice(event, str(label), p.in_app if p else True, p.email if p else EmailMode.INSTANT))
    return out


def digest_due_user_ids(limit: int = 1000) -> list[int]:
    """People with notifications waiting for a digest (one query)."""
    rows = (
        Notification.objects.filter(digest=True, digested_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    return list(rows[:limit])


def digest_items(user_id: int) -> list[Notification]:
    return list(Notification.objects.filter(recipient_id=user_id, digest=True, digested_at__isnull=True).order_by("pk"))
