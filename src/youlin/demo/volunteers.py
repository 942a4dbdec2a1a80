"""Demo volunteer work, through the real services: 阜成门外第一小学's pupils and their teacher on
红墙小先锋志愿服务队 run the garbage-sorting activity (done, with hours) and sign up for the next clean-up.
Idempotent: an activity is created once (by title), people are upserted by name. Needs
``youlin.demo.loader.load_demo``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from youlin.parties import services as parties
from youlin.parties.models import Organisation, Person
from youlin.places.models import Community
from youlin.volunteers import services
from youlin.volunteers.models import Activity

PUPILS = ["王小明", "李小红", "张小军", "赵小雨", "陈小乐", "刘小童", "杨小帆", "吴小溪"]
SORTING = "红墙小先锋，志愿我先行——垃圾分类宣传实践活动"
CLEANING = "红墙小先锋，为民办实事——卫生清洁区域共建活动"


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@transaction.atomic
def load_demo_volunteers() -> None:
    community = Community.objects.filter(name="阜外东社区").first()
    if community is None:
        return
    User = get_user_model()
    staff = User.objects.filter(username="fwd_staff").first()
    teacher_user = User.objects.filter(username="fwd_volunteer").first()
    team = Organisation.objects.filter(name="红墙小先锋志愿服务队", kind=Organisation.Kind.VOLUNTEER_TEAM).first()
    school = Organisation.objects.filter(name="阜成门外第一小学", kind=Organisation.Kind.PARTNER_UNIT).first()
    if staff is None or team is None:
        return
    pupils = []
    for name in PUPILS:
        person = parties.person_ensure(name=name, community=community)
        services.volunteer_join_team(actor=staff, team=team, person=person, title="学生志愿者")
        pupils.append(person)
    teacher = Person.objects.filter(user=teacher_user).first() if teacher_user else None
    today = timezone.localdate()
    if not Activity.objects.filter(community=community, title=SORTING).exists():
        day = today - timedelta(days=20)
        sorting = services.activity_create(
            actor=staff,
            community=community,
            title=SORTING,
            starts_at=_at(day, 14, 0),
            ends_at=_at(day, 16, 30),
            place="阜外东社区新时代文明实践站及月坛北小街1号院",
            capacity=30,
            team=team,
            partner_unit=school,
            description="阜成门外第一小学师生走进社区，入户宣传垃圾分类，现场指导居民分类投放。",
        )
        people = ([teacher] if teacher else []) + pupils
        for i, person in enumerate(people):
            signup = services.activity_signup(
                actor=staff, activity=sorting, person=person, now=_at(day - timedelta(days=3), 10)
            )
            signup = services.activity_check_in(actor=staff, signup=signup, now=_at(day, 13, 50 + i % 10))
            services.activity_check_out(actor=staff, signup=signup, now=_at(day, 16, 20 + i % 10))
    if not Activity.objects.filter(community=community, title=CLEANING).exists():
        day = today + timedelta(days=10)
        cleaning = services.activity_create(
            actor=staff,
            community=community,
            title=CLEANING,
            starts_at=_at(day, 9, 0),
            ends_at=_at(day, 11, 0),
            place="月坛北小街5号院",
            capacity=20,
            team=team,
            partner_unit=school,
            description="师生与居民一起清理楼前卫生死角，共建清洁区域。",
        )
        for person in ([teacher] if teacher else []) + pupils[:5]:
            services.activity_signup(actor=staff, activity=cleaning, person=person)
