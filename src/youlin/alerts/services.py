"""Subscribing to a community or grid, confirming an address, unsubscribing, and delivering what is new.

With an account a subscription is live at once and alerts are notifications (``notify``, event "area_alert":
the bell, an e-mail or the daily digest, as the person chose). Without one, the address gets a confirmation
e-mail and nothing else until the link in it is used; each alert e-mail has an unsubscribe link (and a
List-Unsubscribe header). The sweep (``tasks.send_area_alerts``) delivers each subscription what was published
since its cursor and moves the cursor in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from youlin.alerts import selectors
from youlin.alerts.models import Subscription
from youlin.domain.errors import DomainError
from youlin.domain.writes import actor_user
from youlin.notifications import events
from youlin.notifications.services import notify

TOPICS = ("cases", "notices", "bulletins")
# An unconfirmed address is sent its confirmation again at most this often (a form cannot be used to flood it).
RESEND_AFTER = timedelta(minutes=10)
# What the sweep leaves for next time: a row committed a moment after the sweep read must not be missed.
SETTLE = timedelta(seconds=60)


class AlertError(DomainError):
    pass


def _absolute(path: str) -> str:
    return settings.YOULIN_BASE_URL.rstrip("/") + path


def unsubscribe_url(subscription: Subscription) -> str:
    return _absolute(reverse("alerts:unsubscribe", args=[subscription.token]))


def confirm_url(subscription: Subscription) -> str:
    return _absolute(reverse("alerts:confirm", args=[subscription.token]))


def _send(subscription: Subscription, subject: str, template: str, context: dict) -> None:
    """One e-mail to a subscriber without an account, in the language they subscribed in, with the unsubscribe
    link in the text and in the List-Unsubscribe header (one click, RFC 8058)."""
    with translation.override(subscription.language):
        body = render_to_string(
            template,
            {"subscription": subscription, "unsubscribe_url": unsubscribe_url(subscription), **context},
        )
        subject = f"[友邻] {subject}"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send(fail_silently=False)


def _send_confirmation(subscription: Subscription) -> None:
    with translation.override(subscription.language):
        subject = _("请确认订阅%(area)s的动态") % {"area": subscription.area.name}
    _send(subscription, subject, "alerts/email_confirm.txt", {"confirm_url": confirm_url(subscription)})


@transaction.atomic
def subscription_create(
    *,
    actor,
    community,
    grid=None,
    topics: set[str] | frozenset[str] = frozenset(TOPICS),
    email: str = "",
    language: str | None = None,
) -> tuple[Subscription, bool]:
    """Follow a community (or one of its grids). Returns the subscription and whether a confirmation e-mail
    goes out. Signed in: live at once (subscribing again updates the topics). Anonymous: ``email`` gets a
    confirmation link, sent again at most every ten minutes; an address already confirmed is told nothing new
    (the page says the same either way, so it reveals nobody's subscriptions)."""
    topics = set(topics) & set(TOPICS)
    if not topics:
        raise AlertError.invalid(gettext_lazy("请至少选择一项要订阅的动态。"), field="topics")
    if grid is not None and grid.community_id != community.pk:
        raise AlertError.invalid(gettext_lazy("所选网格不属于这个社区。"), field="grid")
    now = timezone.now()
    user = actor_user(actor)
    wanted = {t: t in topics for t in TOPICS}
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:8]
    if user is not None:
        subscription, created = Subscription.objects.get_or_create(
            user=user,
            community=community,
            grid=grid,
            defaults={
                **wanted,
                "token": secrets.token_urlsafe(32),
                "language": language,
                "created_at": now,
                "confirmed_at": now,
                "delivered_until": now,
            },
        )
        if not created:
            Subscription.objects.filter(pk=subscription.pk).update(**wanted)
            subscription.refresh_from_db()
        return subscription, False
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AlertError.invalid(gettext_lazy("请填写有效的邮箱地址。"), field="email") from None
    subscription = (
        Subscription.objects.select_for_update()
        .filter(user__isnull=True, email=email, community=community, grid=grid)
        .first()
    )
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    email=email,
                    community=community,
                    grid=grid,
                    **wanted,
                    token=secrets.token_urlsafe(32),
                    language=language,
                    created_at=now,
                    delivered_until=now,
                )
        except IntegrityError:  # the same address at the same moment from another request
            return Subscription.objects.get(user__isnull=True, email=email, community=community, grid=grid), False
    elif subscription.is_confirmed:
        Subscription.objects.filter(pk=subscription.pk).update(**wanted)
        return subscription, False
    elif subscription.confirmation_sent_at and now - subscription.confirmation_sent_at < RESEND_AFTER:
        return subscription, False
    else:
        Subscription.objects.filter(pk=subscription.pk).update(**wanted, language=language)
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=now)
    subscription.refresh_from_db()
    transaction.on_commit(lambda: _send_confirmation(subscription))
    return subscription, True


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscription:
    """The link in the confirmation e-mail: the subscription goes live (from now on; nothing older is sent)."""
    subscription = selectors.by_token(token)
    if subscription is None:
        raise AlertError("not_found", gettext_lazy("链接无效或订阅已取消。"))
    if not subscription.is_confirmed:
        now = timezone.now()
        Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, delivered_until=now
        )
        subscription.refresh_from_db()
    return subscription


@transaction.atomic
def subscription_cancel(*, token: str | None = None, actor=None, subscription: Subscription | None = None) -> bool:
    """Unsubscribe: by the link's token (anyone holding it), or the signed-in subscriber their own. Whether
    there was anything to cancel."""
    if token is not None:
        subscription = selectors.by_token(token)
    elif subscription is not None and (actor_user(actor) is None or subscription.user_id != actor.pk):
        raise AlertError.denied(gettext_lazy("只能取消自己的订阅。"))
    if subscription is None:
        return False
    deleted, _rows = Subscription.objects.filter(pk=subscription.pk).delete()
    return bool(deleted)


# ---------------------------------------------------------------- delivery


def _deliver(subscription: Subscription, items: list[selectors.Item], until: datetime) -> int:
    """Send one subscription what it asked for, and move its cursor to ``until`` (one transaction: a failed
    e-mail leaves the cursor, so the next sweep tries again)."""
    mine = [i for i in items if selectors.wanted(subscription, i)]
    with transaction.atomic():
        moved = Subscription.objects.filter(pk=subscription.pk, delivered_until=subscription.delivered_until).update(
            delivered_until=until
        )
        if not moved or not mine:
            return 0  # another sweep took it, or nothing new
        if subscription.user_id:
            for item in mine:
                notify(
                    recipients=[subscription.user],
                    title=item.title,
                    body=item.summary,
                    url=item.path,
                    event=events.AREA_ALERT,
                )
        else:
            with translation.override(subscription.language):
                subject = _("%(area)s有 %(count)d 条新动态") % {"area": subscription.area.name, "count": len(mine)}
            _send(
                subscription,
                subject,
                "alerts/email_alert.txt",
                {"items": mine, "base_url": settings.YOULIN_BASE_URL.rstrip("/")},
            )
    return len(mine)


def alerts_send(*, now: datetime | None = None) -> int:
    """The sweep: for each community with live subscriptions, what was published since the oldest cursor, sent
    to each subscription that asked for it. Returns the items delivered. Running it twice sends nothing twice."""
    until = (now or timezone.now()) - SETTLE
    delivered = 0
    by_community: dict[int, list[Subscription]] = {}
    for s in selectors.due_subscriptions():
        if s.delivered_until < until:
            by_community.setdefault(s.community_id, []).append(s)
    for subscriptions in by_community.values():
        community = subscriptions[0].community
        since = min(s.delivered_until for s in subscriptions)
        in_language: dict[str, list[selectors.Item]] = {}  # the items written once per language
        for subscription in subscriptions:
            language = subscription.language
            if language not in in_language:
                with translation.override(language):
                    in_language[language] = selectors.alert_items(community, since=since, until=until)
            delivered += _deliver(subscription, in_language[language], until)
    return delivered
