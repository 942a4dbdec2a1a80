"""Meetings made through the real services: 36号院's paving and junk corner on the agenda."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from youlin.cases.tests import factories as cf
from youlin.deliberation import services
from youlin.deliberation.models import Meeting
from youlin.parties.models import Organisation, Person
from youlin.places.models import NamedPoint


def point(name: str) -> tuple[float, float]:
    lon, lat = NamedPoint.objects.get(name=name).geometry["coordinates"]
    return lon, lat


def paving_case(users):
    return cf.register(
        users.spk_grid, point=point("36号院北侧停车区"), code="06081", description="北侧停车区地砖松动、粉化"
    )


def junk_case(users):
    return cf.register(
        users.spk_grid, point=point("甲楼门前电动自行车充电柜"), code="06082", description="充电柜旁死角堆放杂物"
    )


def person(username: str) -> Person:
    return Person.objects.get(user__username=username)


def org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def invitations():
    Spec = services.InvitationSpec
    return [
        Spec(organisation=org("手帕口南街36号院业主委员会"), label="业委会", can_vote=True),
        Spec(organisation=org("天岳恒物业"), label="甲楼物业"),
        Spec(person=person("spk_resident"), label="居民代表", can_vote=True),
        Spec(person=person("spk_captain"), label="居民代表", can_vote=True),
    ]


def meeting(users, *, cases=None, **extra) -> Meeting:
    cases = cases or [paving_case(users)]
    return services.meeting_create_from_case(
        actor=users.spk_staff,
        case=cases[0],
        extra_cases=cases[1:],
        starts_at=timezone.now() + timedelta(days=1),
        place="社区“友邻+”议事厅",
        invitations=invitations(),
        **extra,
    )


def sign_in_all(users, m: Meeting, *usernames: str) -> None:
    for name in usernames or ("spk_committee", "spk_resident", "spk_captain", "tyh_property"):
        services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=person(name))


def proposals(users, m: Meeting, *titles: str):
    item = m.agenda_items.get()
    return [services.proposal_add(actor=users.spk_staff, item=item, title=t) for t in titles]


OWNER_UNITS = ("京广物资公司", "市政工程研究院", "广外房管所")


def seated_meeting(users, *, quorum_percent: int = 50, **extra) -> Meeting:
    """36号院 seated as it decides: the three owner units and both committees vote (one vote each), the three
    property companies attend, the building captain and a resident vote: 7 voting parties."""
    Spec = services.InvitationSpec
    invitations = [Spec(organisation=org(name), label="产权单位", can_vote=True) for name in OWNER_UNITS]
    invitations += [
        Spec(organisation=org("手帕口南街36号院业主委员会"), label="业委会", can_vote=True),
        Spec(organisation=org("手帕口南街36号院物业管理委员会"), label="物管会", can_vote=True),
        Spec(organisation=org("天岳恒物业"), label="物业"),
        Spec(organisation=org("金盾物业服务公司"), label="物业"),
        Spec(organisation=org("安居物业服务公司"), label="物业"),
        Spec(person=person("spk_captain"), label="居民代表", can_vote=True),
        Spec(person=person("spk_resident"), label="居民代表", can_vote=True),
    ]
    return services.meeting_create_from_case(
        actor=users.spk_staff,
        case=paving_case(users),
        starts_at=timezone.now() + timedelta(days=1),
        place="社区“友邻+”议事厅",
        invitations=invitations,
        quorum_percent=quorum_percent,
        **extra,
    )


def represent(users, m: Meeting, name: str, representative: str, authorisation: str = ""):
    return services.meeting_sign_in(
        actor=users.spk_staff, meeting=m, organisation=org(name), name=representative, authorisation=authorisation
    )
