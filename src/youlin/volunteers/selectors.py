"""Reads of volunteer work: the activities a user sees, an activity's sign-ups, service hours per volunteer and
per team (for the page and the .xlsx export)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from youlin.access import policy
from youlin.core.numbers import hours_text, hours_value
from youlin.parties.models import Person
from youlin.volunteers.models import Activity, SignUp


def visible_activities(user) -> QuerySet[Activity]:
    """Activities of the user's communities and teams, and those of the community the user lives in."""
    j = policy.jurisdiction_of(user)
    qs = Activity.objects.select_related("community", "team", "partner_unit")
    scoped = policy.scope(user, qs)
    if j.person_id is None or j.everything:
        return scoped
    home = Person.objects.filter(pk=j.person_id).values("community_id")
    return qs.filter(Q(pk__in=scoped.values("pk")) | Q(community_id__in=home))


def activity_signups(activity: Activity) -> list[SignUp]:
    return list(
        activity.signups.exclude(status=SignUp.Status.CANCELLED)
        .select_related("person", "team")
        .order_by("signed_up_at", "id")
    )


@dataclass(frozen=True)
class HoursRow:
    name: str
    team: str
    activities: int
    hours: Decimal


def _served(user, since: datetime | None, until: datetime | None) -> QuerySet[SignUp]:
    qs = SignUp.objects.filter(status=SignUp.Status.CHECKED_OUT, activity__in=visible_activities(user).values("pk"))
    if since:
        qs = qs.filter(activity__starts_at__gte=since)
    if until:
        qs = qs.filter(activity__starts_at__lt=until)
    return qs


def hours_by_volunteer(user, *, since: datetime | None = None, until: datetime | None = None) -> list[HoursRow]:
    rows = (
        _served(user, since, until)
        .values("person_id", "person__name", "team__name")
        .annotate(hours=Sum("hours"), activities=Count("activity", distinct=True))
        .order_by("-hours", "person__name")
    )
    return [
        HoursRow(
            name=r["person__name"],
            team=r["team__name"] or "",
            activities=r["activities"],
            hours=hours_value(r["hours"]),
        )
        for r in rows
    ]


def hours_by_team(user, *, since: datetime | None = None, until: datetime | None = None) -> list[HoursRow]:
    rows = (
        _served(user, since, until)
        .values("team_id", "team__name")
        .annotate(
            hours=Sum("hours"), activities=Count("activity", distinct=True), people=Count("person", distinct=True)
        )
        .order_by("-hours", "team__name")
    )
    return [
        HoursRow(
            name=r["team__name"] or _("（未加入服务队）"),
            team=str(r["people"]),
            activities=r["activities"],
            hours=hours_value(r["hours"]),
        )
        for r in rows
    ]


def hours_xlsx(user, *, since: datetime | None = None, until: datetime | None = None) -> bytes:
    """Service hours as .xlsx: one sheet per volunteer, one per team, one with every checked-out sign-up."""
    from openpyxl.styles import Font

    from youlin.domain import exports

    wb = exports.workbook()
    ws = wb.active
    ws.title = _("志愿者")
    exports.append(ws, [_("序号"), _("姓名"), _("服务队"), _("参加活动数"), _("服务时长（小时）")])
    for i, r in enumerate(hours_by_volunteer(user, since=since, until=until), start=1):
        exports.append(ws, [i, r.name, r.team, r.activities, float(r.hours)])
    teams = wb.create_sheet(_("服务队"))
    exports.append(teams, [_("序号"), _("服务队"), _("人数"), _("活动数"), _("服务时长（小时）")])
    for i, r in enumerate(hours_by_team(user, since=since, until=until), start=1):
        exports.append(teams, [i, r.name, int(r.team), r.activities, float(r.hours)])
    detail = wb.create_sheet(_("明细"))
    exports.append(
        detail, [_("活动"), _("开始时间"), _("地点"), _("姓名"), _("服务队"), _("签到"), _("签退"), _("时长（小时）")]
    )
    rows = (
        _served(user, since, until).select_related("activity", "person", "team").order_by("activity__starts_at", "id")
    )
    for s in rows:
        exports.append(
            detail,
            [
                s.activity.title,
                timezone.localtime(s.activity.starts_at).strftime("%Y-%m-%d %H:%M"),
                s.activity.place,
                s.person.name,
                s.team.name if s.team_id else "",
                timezone.localtime(s.checked_in_at).strftime("%H:%M") if s.checked_in_at else "",
                timezone.localtime(s.checked_out_at).strftime("%H:%M") if s.checked_out_at else "",
                float(s.hours),
            ],
        )
    for sheet in (ws, teams, detail):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["B"].width = 24
        sheet.column_dimensions["C"].width = 24
    return exports.workbook_bytes(wb)


# ---------------------------------------------------------------- public pages, bulletin and dashboards


def open_activities(community, now: datetime | None = None) -> list[str]:
    """Activities still open for sign-up, one line each for the community's public page."""
    from django.db.models import F
    from django.utils import timezone

    now = now or timezone.now()
    rows = Activity.objects.filter(community=community, starts_at__gt=now, signed_up_count__lt=F("capacity"))
    return [
        f"{a.title} · {timezone.localtime(a.starts_at):%m-%d %H:%M} · {a.place}（{a.capacity - a.signed_up_count}）"
        for a in rows.order_by("starts_at")[:10]
    ]


def community_hours(community_ids: list[int], since: datetime | None = None, until: datetime | None = None):
    """Service hours (checked-out sign-ups) per team in these communities: [(team, people, hours)]. One query."""
    from django.db.models import Count, Sum

    qs = SignUp.objects.filter(status=SignUp.Status.CHECKED_OUT, activity__community_id__in=community_ids)
    if since is not None:
        qs = qs.filter(activity__starts_at__gte=since)
    if until is not None:
        qs = qs.filter(activity__starts_at__lt=until)
    return [
        (row["team__name"] or "—", row["people"], hours_value(row["hours"]))
        for row in qs.values("team__name")
        .annotate(people=Count("person", distinct=True), hours=Sum("hours"))
        .order_by("team__name")
    ]


def bulletin_sentences(community, period) -> list[str]:

    rows = community_hours([community.pk], period.start, period.end)
    from django.utils.translation import ngettext

    return [
        ngettext(
            "%(team)s共 %(people)s 人次参与志愿服务，服务时长 %(hours)s 小时。",
            "%(team)s共 %(people)s 人次参与志愿服务，服务时长 %(hours)s 小时。",
            people,
        )
        % {"team": team, "people": people, "hours": hours_text(hours)}
        for team, people, hours in rows
    ]
