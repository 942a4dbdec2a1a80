"""Followers of a case and the notices each step sends them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from youlin.cases import services
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import CaseFollower, Channel
from youlin.cases.selectors import is_following
from youlin.cases.tests import factories as f
from youlin.notifications.models import Notification
from youlin.parties.models import Organisation

pytestmark = pytest.mark.django_db


def followers(case) -> set[str]:
    return set(CaseFollower.objects.filter(case=case).values_list("user__username", flat=True))


def told(**filters) -> list[tuple[str, str, str]]:
    rows = Notification.objects.filter(**filters).order_by("recipient__username")
    return list(rows.values_list("recipient__username", "title", "url"))


def test_the_registrant_the_reporter_and_the_responsible_people_follow(users, clock):
    resident_case = f.register(users.spk_resident, channel=Channel.RESIDENT)
    assert followers(resident_case) == {"spk_resident", "tyh_property"}
    on_behalf = f.register(users.spk_staff, reporter=users.spk_captain.person, point=f.public_point(), code="06010")
    assert followers(on_behalf) == {"spk_staff", "spk_captain", "gw_officer"}  # gw_officer: the office's officer
    anonymous = f.register(AnonymousUser(), channel=Channel.RESIDENT, reporter_phone="13912345678")
    assert followers(anonymous) == {"tyh_property"}


def test_each_step_tells_the_followers_but_not_the_actor(users, clock):
    case = f.register(users.spk_resident, channel=Channel.RESIDENT)
    assert Notification.objects.count() == 0
    case = services.case_dispatch(actor=users.spk_staff, case=case, expected_version=case.version)
    url = f"/cases/{case.number}/"
    assert told() == [
        ("spk_resident", "案件 SPK20261127001 已派遣", url),
        ("tyh_property", "案件 SPK20261127001 已派遣", url),
    ]
    services.case_accept(actor=users.tyh_property, case=case, expected_version=case.version)
    assert told(title__endswith="已接单") == [("spk_resident", "案件 SPK20261127001 已接单", url)]
    assert "楼道堆物" in Notification.objects.filter(recipient=users.spk_resident).first().body


def test_a_phone_only_reporter_is_skipped(users, clock):
    case = f.register(AnonymousUser(), channel=Channel.RESIDENT, reporter_phone="13912345678")
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="dispatched")
    assert told() == [("tyh_property", "案件 SPK20261127001 已派遣", f"/cases/{case.number}/")]


def test_follow_and_unfollow(users, clock):
    case = f.register(users.spk_grid)
    staff = users.spk_staff
    services.case_follow(actor=staff, case=case)
    services.case_follow(actor=staff, case=case)  # twice changes nothing
    assert CaseFollower.objects.filter(case=case, user=staff).count() == 1 and is_following(staff, case)
    case = services.case_dispatch(actor=users.spk_secretary, case=case, expected_version=case.version)
    assert Notification.objects.filter(recipient=staff).count() == 1
    assert services.case_unfollow(actor=staff, case=case) is True
    assert services.case_unfollow(actor=staff, case=case) is False
    assert not is_following(staff, case)
    services.case_accept(actor=users.tyh_property, case=case, expected_version=case.version)
    assert Notification.objects.filter(recipient=staff).count() == 1


def test_only_those_who_see_a_case_may_follow_it(users, clock):
    case = f.register(users.spk_grid)
    with pytest.raises(CaseError) as err:
        services.case_follow(actor=users.fwd_staff, case=case)
    assert err.value.code == CaseErrorCode.OUTSIDE_JURISDICTION
    with pytest.raises(CaseError) as err:
        services.case_follow(actor=AnonymousUser(), case=case)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    assert followers(case) == {"spk_grid", "tyh_property"}


def test_rerouting_moves_the_responsible_people(users, clock):
    case = f.register(users.spk_resident, channel=Channel.RESIDENT)
    contractor = Organisation.objects.get(name="京西市政施工队")
    services.case_route_override(
        actor=users.spk_staff, case=case, expected_version=case.version, organisations=[contractor], reason="施工问题"
    )
    assert followers(case) == {"spk_resident", "builder"}


def test_followers_of_a_duplicate_follow_the_case_that_goes_on(users, clock):
    survivor = f.register(users.spk_grid)
    duplicate = f.register(users.spk_resident, channel=Channel.RESIDENT, point=f.offset(f.jia_point(), east_m=5))
    services.case_merge(actor=users.spk_staff, case=duplicate, survivor=survivor, expected_version=1)
    assert followers(survivor) == {"spk_grid", "tyh_property", "spk_resident"}
    assert told(recipient__username="spk_resident") == [
        ("spk_resident", "案件 SPK20261127002 已合并至案件 SPK20261127001", "/cases/SPK20261127002/")
    ]


def test_telling_many_followers_costs_no_more_queries_than_telling_one(users, clock):
    def dispatch_queries(case) -> int:
        with CaptureQueriesContext(connection) as ctx:
            services.case_dispatch(actor=users.district, case=case, expected_version=case.version)
        return len(ctx.captured_queries)

    few = f.register(users.spk_grid)
    many = f.register(users.spk_grid)
    for name in ("spk_staff", "spk_secretary", "spk_captain", "gw_officer"):
        services.case_follow(actor=getattr(users, name), case=many)
    assert dispatch_queries(few) == dispatch_queries(many)
    assert Notification.objects.filter(url=f"/cases/{many.number}/").count() == 6
