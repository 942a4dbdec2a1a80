"""Background work for notifications: e-mail copies (console backend by default) and the daily digest."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from youlin.notifications import selectors
from youlin.notifications.models import Notification, NotificationDigest

logger = logging.getLogger(__name__)


@task()
def send_notification_email(user_id: int, title: str, body: str) -> bool:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    send_mail(
        subject=f"[友邻] {title}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
        fail_silently=False,
    )
    return True


def digest_is_due(now=None) -> bool:
    """Digests go out once a day, from ``YOULIN_DIGEST_HOUR`` (Beijing time) on."""
    now = timezone.localtime(now or timezone.now())
    return now.hour >= settings.YOULIN_DIGEST_HOUR


def send_digest(user, *, now=None) -> int:
    """Send ``user`` today's digest of what waits for it: one e-mail, the rows marked as sent and the day
    recorded in one transaction (a failed send leaves everything for the next run). Returns how many it held;
    0 when nothing waited or today's digest already went out."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        items = selectors.digest_items(user.pk)
        if not items or not user.email:
            return 0
        try:
            with transaction.atomic():
                NotificationDigest.objects.create(user=user, day=day, sent_at=now, count=len(items))
        except IntegrityError:
            return 0  # today's went out already (or another worker is sending it): tomorrow's will hold these
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=now)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("[友邻] 每日汇总：%(count)d 条通知") % {"count": len(items)}
            text = render_to_string(
                "notifications/digest.txt",
                {"user": user, "items": items, "day": day, "base_url": settings.YOULIN_BASE_URL.rstrip("/")},
            )
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    return len(items)


@task()
def send_daily_digests() -> int:
    """Once the digest hour has come, send each person with waiting notifications their digest of the day
    (at most one a day each). The worker runs this hourly; running it again sends nothing twice."""
    if not digest_is_due():
        return 0
    users = get_user_model().objects.in_bulk(selectors.digest_due_user_ids())
    sent = 0
    for user in users.values():
        try:
            if send_digest(user):
                sent += 1
        except Exception:  # one bad address must not stop the others; the rows wait for the next run
            logger.exception("digest for user %s failed", user.pk)
    return sent


# (task, seconds between runs): ``youlin worker`` enqueues these on schedule (see ``youlin.scheduling``).
PERIODIC = [(send_daily_digests, 60 * 60)]
