"""The public notice (公示) of a meeting's resolutions, and the residents' support or objection during it."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import Meeting, NoticeResponse, PublicNotice, Resolution
from youlin.deliberation.services.checks import invalid, require_manager
from youlin.domain.writes import actor_user
from youlin.notifications import events
from youlin.notifications.services import notify
from youlin.parties.models import Person


@transaction.atomic
def notice_publish(
    *,
    actor,
    meeting: Meeting,
    days: int = 7,
    review_on: date | None = None,
    title: str = "",
    body: str = "",
) -> PublicNotice:
    """公示 the meeting's resolutions to the residents of its compound (or community) for ``days`` days, with
    a review date after the period. The residents there are told."""
    require_manager(actor, meeting)
    if not 1 <= days <= 60:
        raise invalid(_("公示期应为 1 到 60 天。"), "days")
    resolutions = list(
        Resolution.objects.filter(item__meeting=meeting).select_related("proposal").prefetch_related("action_items")
    )
    if not resolutions:
        raise DeliberationError(ErrorCode.ILLEGAL_STAGE, _("会议还没有形成决议，无可公示。请先对议题作出决定。"))
    now = timezone.now()
    ends_at = now + timedelta(days=days)
    review_on = review_on or timezone.localdate(ends_at)
    if review_on < timezone.localdate(ends_at):
        raise invalid(_("复核日期不能早于公示期结束。"), "review_on")
    if not body.strip():
        lines = []
        for r in resolutions:
            lines.append(str(_("议题：%(title)s") % {"title": r.item.title}))
            lines.extend(r.text.splitlines())
            lines.extend(f"  · {a.title}（{a.due_on:%Y-%m-%d}）" for a in r.action_items.all())
        body = "\n".join(lines)
    notice = PublicNotice.objects.create(
        meeting=meeting,
        community=meeting.community,
        compound=meeting.compound,
        title=(title.strip() or _("公示：%(title)s") % {"title": meeting.title})[:160],
        body=body.strip(),
        starts_at=now,
        ends_at=ends_at,
        review_on=review_on,
        published_by=actor_user(actor),
    )
    notify(
        recipients=_residents(meeting),
        title=notice.title,
        body=_("公示期至 %(end)s，欢迎发表意见。") % {"end": f"{timezone.localtime(ends_at):%Y-%m-%d %H:%M}"},
        url=reverse("deliberation:notice", args=[notice.pk]),
        event=events.MEETING,
        exclude=actor_user(actor),
    )
    return notice


def _residents(meeting: Meeting) -> list:
    """Login accounts living in the meeting's compound (or its community when it has none)."""
    if meeting.compound_id:
        place = (
            Q(person__memberships__compound_id=meeting.compound_id)
            | Q(person__memberships__building__compound_id=meeting.compound_id)
            | Q(person__memberships__entrance__building__compound_id=meeting.compound_id)
        )
    else:
        place = Q(person__community_id=meeting.community_id)
    return list(get_user_model().objects.filter(place, is_active=True).distinct().order_by("pk"))


@transaction.atomic
def notice_respond(
    *, actor, notice: PublicNotice, stance: str, comment: str = "", phone_hash: str = "", phone_label: str = ""
) -> NoticeResponse:
    """Support or object (with a reason) during the notice period, once per person: a person known by an account
    (``actor``) or, without one, by a phone number confirmed with a one-time code (``phone_hash``, from
    ``youlin.verification``; ``phone_label`` is its masked form). Objections go to the convener."""
    if stance not in NoticeResponse.Stance.values:
        raise invalid(_("请选择支持或反对。"), "stance")
    user = actor if actor is not None and actor.is_authenticated else None
    if user is None and not phone_hash:
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("请先登录，或用手机号接收验证码确认身份，再发表意见。"))
    now = timezone.now()
    if now < notice.starts_at or now >= notice.ends_at:
        raise DeliberationError(
            ErrorCode.NOTICE_CLOSED,
            _("公示期为 %(start)s 至 %(end)s，现在不在公示期内。如有意见，请直接联系社区。")
            % {
                "start": f"{timezone.localtime(notice.starts_at):%Y-%m-%d %H:%M}",
                "end": f"{timezone.localtime(notice.ends_at):%Y-%m-%d %H:%M}",
            },
        )
    comment = comment.strip()
    if stance == NoticeResponse.Stance.OBJECT and not comment:
        raise invalid(_("请写明反对的理由，便于社区回应。"), "comment")
    if user is not None:
        person = Person.objects.filter(user=user).first()
        identity = {"user": user, "name": person.name if person else str(user)[:64]}
    else:
        identity = {"phone_hash": phone_hash, "name": phone_label[:64]}
    try:
        with transaction.atomic():
            response = NoticeResponse.objects.create(
                notice=notice, stance=stance, comment=comment, created_at=now, **identity
            )
    except IntegrityError:
        raise DeliberationError(ErrorCode.ALREADY_DONE, _("您已经对这条公示发表过意见。")) from None
    if stance == NoticeResponse.Stance.OBJECT:
        meeting = notice.meeting
        notify(
            recipients=[meeting.convener] if meeting.convener_id else [],
            title=_("公示收到反对意见：%(title)s") % {"title": notice.title},
            body=comment,
            url=reverse("deliberation:notice", args=[notice.pk]),
            event=events.MEETING,
            exclude=user,
        )
    return response
