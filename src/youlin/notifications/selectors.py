from youlin.notifications.models import Notification


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user, *, before_id: int | None = None, limit: int = 30) -> list[Notification]:
    """Newest first, keyset-paginated on id."""
    qs = Notification.objects.filter(recipient=user)
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    return list(qs.order_by("-pk")[:limit])
