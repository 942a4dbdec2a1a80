"""Sign-up with capacity, check-in and check-out, service hours, who may do what."""

from datetime import timedelta
from decimal import Decimal

import pytest

from youlin.parties import services as parties
from youlin.parties.models import Organisation
from youlin.places.models import Community
from youlin.volunteers import selectors, services
from youlin.volunteers.errors import VolunteerError
from youlin.volunteers.models import Activity, SignUp
from youlin.volunteers.tests.conftest import START


def pupils(users, n):
    community = Community.objects.get(name="阜外东社区")
    team = Organisation.objects.get(name="红墙小先锋志愿服务队")
    out = []
    for i in range(n):
        person = parties.person_ensure(name=f"学生{i}", community=community)
        services.volunteer_join_team(actor=users.fwd_volunteer, team=team, person=person)
        out.append(person)
    return out


def test_capacity_is_never_exceeded_and_a_cancelled_place_is_free_again(users, clock, activity_factory):
    activity = activity_factory(capacity=2)
    a, b, c = pupils(users, 3)
    first = services.activity_signup(actor=users.fwd_volunteer, activity=activity, person=a)
    services.activity_signup(actor=users.fwd_volunteer, activity=activity, person=b)
    with pytest.raises(VolunteerError) as caught:
        services.activity_signup(actor=users.fwd_volunteer, activity=activity, person=c)
    assert caught.value.code == "full"
    services.activity_signup_cancel(actor=users.fwd_volunteer, signup=first)
    services.activity_signup(actor=users.fwd_volunteer, activity=activity, person=c)
    activity.refresh_from_db()
    assert activity.signed_up_count == 2
    assert SignUp.objects.filter(activity=activity).exclude(status="cancelled").count() == 2
    # Signing the same person up twice is refused and takes no place.
    with pytest.raises(VolunteerError) as caught:
        services.activity_signup(actor=users.fwd_volunteer, activity=activity, person=b)
    assert caught.value.code == "already_done"


def test_volunteer_signs_up_checks_in_and_out_and_earns_hours(users, clock, activity_factory):
    activity = activity_factory()
    signup = services.activity_signup(actor=users.fwd_volunteer, activity=activity)
    assert signup.person.user == users.fwd_volunteer
    assert signup.team.name == "红墙小先锋志愿服务队"
    with pytest.raises(VolunteerError) as caught:  # two days early
        services.activity_check_in(actor=users.fwd_volunteer, signup=signup)
    assert caught.value.code == "invalid_input" and "签到" in caught.value.message
    clock.now = activity.starts_at - timedelta(minutes=20)
    signup = services.activity_check_in(actor=users.fwd_volunteer, signup=signup)
    with pytest.raises(VolunteerError) as caught:
        services.activity_check_in(actor=users.fwd_volunteer, signup=signup)
    assert caught.value.code == "illegal_transition"
    clock.now = activity.ends_at + timedelta(minutes=40)
    signup = services.activity_check_out(actor=users.fwd_volunteer, signup=signup)
    # Counted within the activity's own time: 14:00–16:30.
    assert signup.hours == Decimal("2.50")
    with pytest.raises(VolunteerError) as caught:
        services.activity_signup_cancel(actor=users.fwd_volunteer, signup=signup)
    assert caught.value.code == "illegal_transition"


def test_hours_per_volunteer_and_team(users, clock, activity_factory):
    first = activity_factory(capacity=5)
    second = activity_factory(
        capacity=5,
        title='=HYPERLINK("http://evil.example","卫生清洁")',  # #13.6: written as text, not a formula
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=1, hours=2),
    )
    a, b = pupils(users, 2)
    for activity, people in ((first, [a, b]), (second, [a])):
        for person in people:
            s = services.activity_signup(actor=users.fwd_staff, activity=activity, person=person)
            s = services.activity_check_in(actor=users.fwd_staff, signup=s, now=activity.starts_at)
            services.activity_check_out(actor=users.fwd_staff, signup=s, now=activity.starts_at + timedelta(hours=1))
    by_person = {r.name: (r.activities, r.hours) for r in selectors.hours_by_volunteer(users.fwd_staff)}
    assert by_person == {"学生0": (2, Decimal("2.00")), "学生1": (1, Decimal("1.00"))}
    (team,) = selectors.hours_by_team(users.fwd_staff)
    assert (team.name, team.team, team.activities, team.hours) == ("红墙小先锋志愿服务队", "2", 2, Decimal("3.00"))
    assert selectors.hours_by_volunteer(users.gy_secretary) == []
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(selectors.hours_xlsx(users.fwd_staff)))
    assert [c.value for c in wb["志愿者"][2]] == [1, "学生0", "红墙小先锋志愿服务队", 2, 2.0]
    titles = [row[0] for row in wb["明细"].iter_rows(min_row=2)]
    assert {c.value for c in titles} == {"垃圾分类宣传实践活动", second.title}
    assert all(c.data_type == "s" for c in titles)


def test_who_may_sign_up_and_check_in_whom(users, clock, activity_factory):
    activity = activity_factory()
    (pupil,) = pupils(users, 1)
    with pytest.raises(VolunteerError) as caught:  # a resident of another community, for someone else
        services.activity_signup(actor=users.spk_resident, activity=activity, person=pupil)
    assert caught.value.code == "permission_denied"
    with pytest.raises(VolunteerError) as caught:  # 钢院's secretary does not see 阜外东's activity
        services.activity_signup(actor=users.gy_secretary, activity=activity)
    assert caught.value.code == "permission_denied"
    signup = services.activity_signup(actor=users.fwd_volunteer, activity=activity, person=pupil)  # the teacher
    with pytest.raises(VolunteerError) as caught:
        services.activity_check_in(actor=users.gy_branch, signup=signup, now=activity.starts_at)
    assert caught.value.code == "permission_denied"
    with pytest.raises(VolunteerError) as caught:
        services.activity_create(
            actor=users.fwd_volunteer,
            community=activity.community,
            title="x",
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            place="x",
            capacity=1,
        )
    assert caught.value.code == "permission_denied"


def test_an_activity_is_checked(users, activity_factory):
    with pytest.raises(VolunteerError) as caught:
        activity_factory(capacity=0)
    assert (caught.value.code, caught.value.field) == ("invalid_input", "capacity")
    with pytest.raises(VolunteerError) as caught:
        activity_factory(ends_at=START)
    assert (caught.value.code, caught.value.field) == ("invalid_input", "ends_at")
    assert not Activity.objects.exists()


def test_pages_and_url_guessing(client, users, clock, activity_factory):
    from django.urls import reverse

    activity = activity_factory()
    client.force_login(users.fwd_volunteer)
    assert client.get(reverse("volunteers:list")).status_code == 200
    response = client.post(reverse("volunteers:act", args=[activity.pk, "signup"]), follow=True)
    assert 'data-testid="my-status"' in response.content.decode()
    assert client.get(reverse("volunteers:hours_export")).status_code == 200
    client.force_login(users.gy_secretary)
    assert client.get(reverse("volunteers:detail", args=[activity.pk])).status_code == 404
    assert client.post(reverse("volunteers:act", args=[activity.pk, "signup"])).status_code == 404


def test_the_places_left_are_counted_with_plurals_in_english(client, users, clock, activity_factory):
    from django.urls import reverse

    client.force_login(users.fwd_staff)
    one = activity_factory(capacity=1)
    two = activity_factory(capacity=2, title="环境清扫")
    page = client.get(reverse("volunteers:detail", args=[one.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 / 1 signed up, 1 place left" in page
    page = client.get(reverse("volunteers:detail", args=[two.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 / 2 signed up, 2 places left" in page
    page = client.get(reverse("volunteers:detail", args=[two.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已报名 0 / 2，剩余 2 个名额" in page
