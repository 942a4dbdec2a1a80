"""Every write of volunteer work, keyword-only and atomic, raising ``VolunteerError`` with a stable code.

Sign-up states::

    signed_up ─check_in→ checked_in ─check_out→ checked_out
        ⇅ cancel / sign up again

Capacity: a sign-up moves ``Activity.signed_up_count`` with ``UPDATE … WHERE signed_up_count < capacity``; a
second writer waits on the row and then finds it full, so concurrent sign-ups never overbook (and a check
constraint refuses it as well). Volunteers sign themselves up; organisers (community staff, the team's or
partner unit's people, e.g. a teacher for the pupils) may sign up and check in others.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.domain.writes import actor_user
from youlin.parties.models import Membership, Organisation, Person, Role
from youlin.places.models import Community
from youlin.volunteers.errors import VolunteerError, VolunteerErrorCode
from youlin.volunteers.models import Activity, SignUp

CHECK_IN_EARLY = timedelta(hours=1)
Status = SignUp.Status


invalid = VolunteerError.invalid


def _manages(actor, community_id: int) -> bool:
    j = policy.jurisdiction_of(actor)
    return j.everything or community_id in j.manage_community_ids


def is_organiser(actor, activity: Activity) -> bool:
    """Community staff, and the people of the activity's team or partner unit (a teacher for the pupils)."""
    if _manages(actor, activity.community_id):
        return True
    j = policy.jurisdiction_of(actor)
    return bool(({activity.team_id, activity.partner_unit_id} - {None}) & j.organisation_ids)


def may_see(actor, activity: Activity) -> bool:
    j = policy.jurisdiction_of(actor)
    if policy.can(actor, policy.VIEW, activity):
        return True
    return (
        j.person_id is not None and Person.objects.filter(pk=j.person_id, community_id=activity.community_id).exists()
    )


@transaction.atomic
def activity_create(
    *,
    actor,
    community: Community,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int,
    team: Organisation | None = None,
    partner_unit: Organisation | None = None,
    description: str = "",
) -> Activity:
    if not _manages(actor, community.pk):
        raise VolunteerError(VolunteerErrorCode.PERMISSION_DENIED, _("只有本社区工作人员可以发布志愿服务活动。"))
    title = (title or "").strip()
    if not title:
        raise invalid(_("请填写活动名称。"), field="title")
    if not (place or "").strip():
        raise invalid(_("请填写活动地点。"), field="place")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise invalid(_("结束时间应晚于开始时间。"), field="ends_at")
    if capacity is None or capacity <= 0:
        raise invalid(_("名额应为正整数。"), field="capacity")
    if team is not None and team.kind != Organisation.Kind.VOLUNTEER_TEAM:
        raise invalid(_("请选择志愿服务队。"), field="team")
    if partner_unit is not None and partner_unit.kind != Organisation.Kind.PARTNER_UNIT:
        raise invalid(_("请选择共建/结对单位。"), field="partner_unit")
    return Activity.objects.create(
        community=community,
        title=title[:120],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:200],
        team=team,
        partner_unit=partner_unit,
        capacity=capacity,
        description=description.strip(),
        created_by=actor_user(actor),
    )


def _team_of(person: Person, activity: Activity) -> Organisation | None:
    """The volunteer team the person serves with here: the activity's own if they are in it, else their first."""
    teams = list(
        Organisation.objects.filter(memberships__person=person, kind=Organisation.Kind.VOLUNTEER_TEAM)
        .distinct()
        .order_by("pk")
    )
    for team in teams:
        if team.pk == activity.team_id:
            return team
    return teams[0] if teams else None


@transaction.atomic
def activity_signup(*, actor, activity: Activity, person: Person | None = None, now: datetime | None = None) -> SignUp:
    """Sign a volunteer up (themselves, or — for an organiser — someone else) if a place is left."""
    now = now or timezone.now()
    j = policy.jurisdiction_of(actor)
    if person is None:
        if j.person_id is None:
            raise VolunteerError(VolunteerErrorCode.PERMISSION_DENIED, _("请先完善个人信息（实名）后再报名。"))
        person = Person.objects.get(pk=j.person_id)
        if not may_see(actor, activity):
            raise VolunteerError(VolunteerErrorCode.PERMISSION_DENIED, _("该活动不在您所在的社区或服务队。"))
    elif person.pk != j.person_id and not is_organiser(actor, activity):
        raise VolunteerError(VolunteerErrorCode.PERMISSION_DENIED, _("只能为自己报名；代他人报名请联系活动组织者。"))
    activity = Activity.objects.get(pk=activity.pk)
    if activity.is_cancelled:
        raise invalid(_("该活动已取消。"))
    if now >= activity.ends_at:
        raise invalid(_("活动已结束，不能再报名。"))
    existing = SignUp.objects.select_for_update().filter(activity=activity, person=person).first()
    if existing is not None and existing.status != Status.CANCELLED:
        raise VolunteerError(VolunteerErrorCode.ALREADY_DONE, _("已经报过名了，无需重复报名。"))
    taken = Activity.objects.filter(pk=activity.pk, signed_up_count__lt=F("capacity")).update(
        signed_up_count=F("signed_up_count") + 1
    )
    if taken != 1:
        raise VolunteerError(VolunteerErrorCode.FULL, _("名额已满。可以关注其他活动，或联系组织者。"))
    team = _team_of(person, activity)
    if existing is not None:
        existing.status = Status.SIGNED_UP
        existing.signed_up_at = now
        existing.team = team
        existing.signed_up_by = actor_user(actor)
        existing.save(update_fields=["status", "signed_up_at", "team", "signed_up_by"])
        return existing
    try:
        with transaction.atomic():
            return SignUp.objects.create(
                activity=activity, person=person, team=team, signed_up_at=now, signed_up_by=actor_user(actor)
            )
    except IntegrityError:
        # The same person signing up twice at once: the other request won; this one takes no place.
        raise VolunteerError(VolunteerErrorCode.ALREADY_DONE, _("已经报过名了，无需重复报名。")) from None


def _own_or_organiser(actor, signup: SignUp, what) -> None:
    j = policy.jurisdiction_of(actor)
    if signup.person_id == j.person_id and j.person_id is not None:
        return
    if is_organiser(actor, signup.activity):
        return
    raise VolunteerError(
        VolunteerErrorCode.PERMISSION_DENIED, _("只有志愿者本人或活动组织者可以%(what)s。") % {"what": what}
    )


def _locked(signup: SignUp) -> SignUp:
    return SignUp.objects.select_for_update().select_related("activity").get(pk=signup.pk)


def _illegal(signup: SignUp, what) -> VolunteerError:
    return VolunteerError(
        VolunteerErrorCode.ILLEGAL_TRANSITION,
        _("当前状态为“%(status)s”，不能%(what)s。") % {"status": signup.get_status_display(), "what": what},
    )


@transaction.atomic
def activity_signup_cancel(*, actor, signup: SignUp) -> SignUp:
    current = _locked(signup)
    _own_or_organiser(actor, current, _("取消报名"))
    if current.status != Status.SIGNED_UP:
        raise _illegal(current, _("取消报名"))
    Activity.objects.filter(pk=current.activity_id).update(signed_up_count=F("signed_up_count") - 1)
    current.status = Status.CANCELLED
    current.save(update_fields=["status"])
    return current


@transaction.atomic
def activity_check_in(*, actor, signup: SignUp, now: datetime | None = None) -> SignUp:
    now = now or timezone.now()
    current = _locked(signup)
    _own_or_organiser(actor, current, _("签到"))
    if current.status != Status.SIGNED_UP:
        raise _illegal(current, _("签到"))
    activity = current.activity
    if now < activity.starts_at - CHECK_IN_EARLY or now > activity.ends_at:
        raise invalid(_("只能在活动开始前 1 小时到活动结束之间签到。"))
    current.status = Status.CHECKED_IN
    current.checked_in_at = now
    current.save(update_fields=["status", "checked_in_at"])
    return current


def service_hours(activity: Activity, checked_in_at: datetime, checked_out_at: datetime) -> Decimal:
    """Hours served: the part of [check-in, check-out] inside the activity's own time, to 0.01 h."""
    start = max(checked_in_at, activity.starts_at)
    end = min(checked_out_at, activity.ends_at)
    seconds = max(0.0, (end - start).total_seconds())
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def activity_check_out(*, actor, signup: SignUp, now: datetime | None = None) -> SignUp:
    now = now or timezone.now()
    current = _locked(signup)
    _own_or_organiser(actor, current, _("签退"))
    if current.status != Status.CHECKED_IN:
        raise _illegal(current, _("签退"))
    if now < current.checked_in_at:
        raise invalid(_("签退时间不能早于签到时间。"))
    current.status = Status.CHECKED_OUT
    current.checked_out_at = now
    current.hours = service_hours(current.activity, current.checked_in_at, now)
    current.save(update_fields=["status", "checked_out_at", "hours"])
    return current


@transaction.atomic
def volunteer_join_team(*, actor, team: Organisation, person: Person, title: str = "") -> Membership:
    """Put a person on a volunteer team (a pupil on the school's team); community staff or the team's people."""
    if team.kind != Organisation.Kind.VOLUNTEER_TEAM:
        raise invalid(_("请选择志愿服务队。"), field="team")
    j = policy.jurisdiction_of(actor)
    if not (j.everything or team.community_id in j.manage_community_ids or team.pk in j.organisation_ids):
        raise VolunteerError(VolunteerErrorCode.PERMISSION_DENIED, _("只有社区工作人员或服务队成员可以添加队员。"))
    membership, _created = Membership.objects.get_or_create(
        person=person, role=Role.VOLUNTEER, organisation=team, defaults={"title": title}
    )
    return membership
