"""A year of history for the three demo communities, through the real services, so that dashboards, rankings,
trends, hotspots and the bulletin show something real.

Deterministic (one seeded random generator): a few hundred cases across channels and categories, each taken
through its life at the times it would have happened — dispatched within hours, handled within the limit or late
(and then escalated by the same 督办 service the worker's sweep calls), sometimes returned, extended, sent back
for rework or voided; closed cases followed up by phone (some calls not reached) or rated by the reporter; an
unresolved or dissatisfied answer sometimes reopens the case. The newest cases are still open. Every write is a
service call at a simulated moment (``django.utils.timezone.now`` is moved along a time-ordered queue of steps),
so the timeline, the deadlines in working days, the follow-up visits and the measures are what the product itself
would have recorded. E-mail copies are not sent while it runs.

Loaded once: a marker case (the first hotline number) says it is there, and a later run changes nothing.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from youlin.cases import services
from youlin.cases.errors import CaseError
from youlin.cases.models import Case, Category, Channel, FollowUpVisit, Status
from youlin.notifications.models import Notification
from youlin.parties.models import Organisation
from youlin.places.geo import shape_from_geojson
from youlin.places.models import Building, Community, Compound

LOCAL = ZoneInfo("Asia/Shanghai")
SEED = 20261128
DAYS = 365
MARKER = "12345-H-000001"  # the first hotline number of the history

# Per community: its slug, staff, who verifies on site, and the everyday problems with how residents say them.
COMMUNITIES = {
    "shoupakou-nanjie": ("spk_staff", "spk_grid"),
    "fuwai-dong": ("fwd_staff", "district"),
    "gangyuan": ("gy_secretary", "district"),
}
PROBLEMS: list[tuple[str, list[str]]] = [
    ("06080", ["楼道里堆了旧家具和纸箱，挡住了通道", "单元门口堆满杂物，老人进出不方便", "楼道堆放废旧自行车和花盆"]),
    ("06081", ["停车区地砖松动，一下雨就积水", "院里地砖翘起来了，晚上容易绊倒", "甬路地砖碎裂，老人走路不安全"]),
    ("06082", ["充电柜旁边的死角又堆满了垃圾", "楼后夹道成了卫生死角，有异味", "院角长期堆放建筑垃圾"]),
    ("10080", ["有人从楼上拉电线给电动车充电", "电动车停在楼道里充电，很危险", "车棚私拉飞线充电"]),
    ("06010", ["垃圾桶周边散落垃圾没人清", "路边有暴露垃圾，好几天没人收", "绿地边上有人倒垃圾"]),
    ("06036", ["路边乱堆杂物占了人行道", "门口堆着装修材料好几天了", "胡同里堆放废旧物品"]),
    ("01037", ["楼前路灯不亮，晚上黑漆漆的", "院里两盏路灯坏了很久", "路灯一直闪，时亮时不亮"]),
    ("01001", ["井盖松动，踩上去咣当响", "路边井盖缺了一块", "雨水井盖错位，有安全隐患"]),
    ("04080", ["树坑砖缺了，容易崴脚", "树坑里积满垃圾", "行道树树坑破损"]),
    ("07001", ["单元门上贴满了小广告", "电线杆上小广告太多了", "楼道墙上喷涂小广告"]),
    ("09010", ["共享单车堵住了小区门口", "自行车乱停放挡住消防通道", "非机动车停在盲道上"]),
    ("10002", ["院里架空线缆垂下来了", "电线缆耷拉到一人多高", "通信线缆脱落挂在树上"]),
    ("06013", ["院门口路面破损有大坑", "路面塌陷，雨后积水", "甬路破损坑洼不平"]),
    ("10082", ["物业维修报了好几次没人来", "楼道灯坏了物业不管", "物业收费不公示"]),
]
CHANNELS = [(Channel.HOTLINE, 45), (Channel.PATROL, 28), (Channel.RESIDENT, 15), (Channel.DOOR_TO_DOOR, 7)]


@contextmanager
def _clock() -> Iterator[Callable[[datetime], None]]:
    """Move ``timezone.now`` to the moment of each step; restored afterwards."""
    real = timezone.now
    moment = {"now": real()}
    timezone.now = lambda: moment["now"]
    try:
        yield lambda when: moment.__setitem__("now", when)
    finally:
        timezone.now = real


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class _History:
    def __init__(self, rng: random.Random, end: datetime):
        self.rng = rng
        self.end = end
        self.queue: list[_Step] = []
        self.seq = itertools.count()
        self.users = {u.username: u for u in get_user_model().objects.filter(is_demo=True)}
        self.categories = {c.code: c for c in Category.objects.filter(kind=Category.Kind.MATTER)}
        self.hotline_seq = itertools.count(1)
        self.written = 0

    def at(self, when: datetime, run: Callable[[], None]) -> None:
        if when < self.end:
            heapq.heappush(self.queue, _Step(when, next(self.seq), run))

    def later(self, start: datetime, hours: float) -> datetime:
        """``hours`` after ``start``, moved into office hours (08:30–18:00) when it falls outside them."""
        when = (start + timedelta(hours=hours)).astimezone(LOCAL)
        if when.time() < time(8, 30):
            when = when.replace(hour=8, minute=30 + self.rng.randrange(60) % 30)
        elif when.time() > time(18, 0):
            when = (when + timedelta(days=1)).replace(hour=9, minute=self.rng.randrange(60))
        return when

    def run(self, set_now: Callable[[datetime], None]) -> None:
        while self.queue:
            step = heapq.heappop(self.queue)
            set_now(step.at)
            # A step the case's state no longer allows (e.g. reopened meanwhile) is skipped, as staff would.
            with contextlib.suppress(CaseError):
                step.run()


def _points(community: Community) -> list[tuple[float, float]]:
    points = []
    for geometry in Building.objects.filter(compound__community=community).values_list("geometry", flat=True):
        if geometry:
            p = shape_from_geojson(geometry).representative_point()
            points.append((p.x, p.y))
    for geometry in Compound.objects.filter(community=community).values_list("geometry", flat=True):
        if geometry:
            p = shape_from_geojson(geometry).representative_point()
            points.append((p.x, p.y))
    return points


class _Life:
    """One case's life: registered, then each next step scheduled at the time it would happen."""

    def __init__(self, h: _History, community: Community, staff: str, verifier: str, registered: datetime):
        self.h, self.rng = h, h.rng
        self.staff, self.verifier = h.users[staff], h.users[verifier]
        self.community = community
        code, phrases = self.rng.choice(PROBLEMS)
        self.category = h.categories[code]
        self.description = self.rng.choice(phrases)
        self.point = self.rng.choice(_points_cache(community))
        self.channel = self.rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0]
        self.case: Case | None = None
        self.late = self.rng.random() < 0.12
        h.at(registered, self.register)

    def fresh(self) -> Case:
        self.case.refresh_from_db()
        return self.case

    def register(self) -> None:
        extra = {}
        actor = self.staff
        if self.channel == Channel.HOTLINE:
            extra = {
                "hotline_number": f"12345-H-{next(self.h.hotline_seq):06d}",
                "hotline_received_at": timezone.now() - timedelta(minutes=self.rng.randrange(20, 240)),
                "reporter_name": self.rng.choice(["王女士", "李先生", "张阿姨", "刘大爷", "陈女士", "赵先生"]),
                "reporter_phone": f"139{self.rng.randrange(10**8):08d}",
            }
        elif self.channel == Channel.RESIDENT:
            actor = None
            extra = {"reporter_name": "居民", "reporter_phone": f"138{self.rng.randrange(10**8):08d}"}
        elif self.channel in {Channel.PATROL, Channel.DOOR_TO_DOOR}:
            actor = self.h.users.get("spk_grid") if self.staff.username == "spk_staff" else self.staff
        lon, lat = self.point
        self.case = services.case_register(
            actor=actor,
            category=self.category,
            description=self.description,
            lon=lon,
            lat=lat,
            channel=self.channel,
            **extra,
        )
        self.h.written += 1
        if self.rng.random() < 0.03:
            self.h.at(self.h.later(timezone.now(), 2), self.void)
        else:
            self.h.at(self.h.later(timezone.now(), self.rng.uniform(0.5, 6)), self.dispatch)

    def void(self) -> None:
        c = self.fresh()
        services.case_void(actor=self.staff, case=c, expected_version=c.version, reason="重复上报，已合并处理")

    def dispatch(self) -> None:
        c = self.fresh()
        if not c.assignments.exists():
            office = Organisation.objects.filter(subdistrict_id=c.community.subdistrict_id).first()
            if office is None:
                return
            services.case_route_override(
                actor=self.staff, case=c, expected_version=c.version, organisations=[office], reason="公共区域"
            )
            c = self.fresh()
        services.case_dispatch(actor=self.staff, case=c, expected_version=c.version, note="请按时限办理")
        self.h.at(self.h.later(timezone.now(), self.rng.uniform(0.5, 8)), self.accept)

    def _handler(self, c: Case):
        for assignment in c.assignments.select_related("organisation"):
            member = assignment.organisation.memberships.filter(person__user__isnull=False).first()
            if member is not None:
                return member.person.user
        return self.staff  # the community records it on behalf of a party without an account

    def accept(self) -> None:
        c = self.fresh()
        handler = self._handler(c)
        services.case_accept(actor=handler, case=c, expected_version=c.version)
        c = self.fresh()
        services.case_start(actor=handler, case=c, expected_version=c.version)
        limit = (c.deadline - c.registered_at).total_seconds() / 3600
        if self.rng.random() < 0.05:
            self.h.at(self.h.later(timezone.now(), limit * 0.4), self.ask_extension)
        share = self.rng.uniform(1.1, 2.2) if self.late else self.rng.uniform(0.15, 0.85)
        self.h.at(self.h.later(c.registered_at, limit * share), self.report_done)
        if self.late:
            for days in (0, 1, 3, 5, 8):  # the worker's sweep, where it would have run
                self.h.at(c.deadline + timedelta(days=days, minutes=5), self.escalate)

    def ask_extension(self) -> None:
        c = self.fresh()
        extension = services.case_extension_request(
            actor=self._handler(c), case=c, expected_version=c.version, working_days=3, reason="需采购材料"
        )
        c = self.fresh()
        services.case_extension_decide(
            actor=self.staff, extension=extension, expected_version=c.version, approve=True, note="同意"
        )

    def escalate(self) -> None:
        c = self.fresh()
        if c.is_open and c.deadline < timezone.now():
            services.case_escalate_overdue(case=c, expected_version=c.version)

    def report_done(self) -> None:
        c = self.fresh()
        services.case_report_done(actor=self._handler(c), case=c, expected_version=c.version, note="已处理完毕")
        self.h.at(self.h.later(timezone.now(), self.rng.uniform(2, 30)), self.verify)

    def verify(self) -> None:
        c = self.fresh()
        if self.rng.random() < 0.06 and c.rework_count == 0:
            services.case_verify(
                actor=self.verifier, case=c, expected_version=c.version, passed=False, note="现场仍未清理干净"
            )
            self.h.at(self.h.later(timezone.now(), self.rng.uniform(4, 30)), self.report_done)
            return
        services.case_verify(actor=self.verifier, case=c, expected_version=c.version, passed=True)
        c = self.fresh()
        self.h.at(self.h.later(timezone.now(), self.rng.uniform(0.5, 4)), self.close)

    def close(self) -> None:
        c = self.fresh()
        services.case_close(actor=self.staff, case=c, expected_version=c.version)
        residents = self.channel in {Channel.HOTLINE, Channel.RESIDENT}
        if self.rng.random() < (0.92 if residents else 0.4):
            self.h.at(self.h.later(timezone.now(), self.rng.uniform(20, 72)), self.follow_up)

    def follow_up(self) -> None:
        c = self.fresh()
        if self.rng.random() < 0.12:  # no answer: an attempt, and a call the next day
            services.case_follow_up(actor=self.staff, case=c, expected_version=c.version, reached=False)
            self.h.at(self.h.later(timezone.now(), 24), self.follow_up)
            return
        resolved = self.rng.random() < 0.86
        satisfaction = self.rng.choices(
            ["satisfied", "basically_satisfied", "dissatisfied"],
            weights=[70, 22, 8] if resolved else [10, 30, 60],
        )[0]
        services.case_follow_up(
            actor=self.staff,
            case=c,
            expected_version=c.version,
            reached=True,
            channel=FollowUpVisit.Channel.PHONE,
            responded=self.rng.random() < 0.96,
            resolved=resolved,
            satisfaction=satisfaction,
            note="电话回访",
        )
        if (not resolved or satisfaction == "dissatisfied") and self.rng.random() < 0.5 and c.reopen_count == 0:
            self.h.at(self.h.later(timezone.now(), 2), self.reopen)

    def reopen(self) -> None:
        c = self.fresh()
        if c.status not in {Status.CLOSED, Status.EVALUATED}:
            return
        services.case_reopen(actor=self.staff, case=c, expected_version=c.version, reason="回访未解决，重新派遣")
        self.late = False
        self.h.at(self.h.later(timezone.now(), 4), self.accept)


_POINTS: dict[int, list[tuple[float, float]]] = {}


def _points_cache(community: Community) -> list[tuple[float, float]]:
    if community.pk not in _POINTS:
        _POINTS[community.pk] = _points(community)
    return _POINTS[community.pk]


def load_demo_history(*, days: int = DAYS, per_day: float = 0.33, progress: Callable[[str], None] | None = None) -> int:
    """Load the history ending today (skipped when it is there); returns how many cases it registered."""
    if Case.objects.filter(hotline_number=MARKER).exists():
        return 0
    say = progress or (lambda message: None)
    rng = random.Random(SEED)
    today = timezone.localdate()
    end = datetime.combine(today, time(8, 0), tzinfo=LOCAL)
    start = end - timedelta(days=days)
    _POINTS.clear()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), _clock() as set_now:
        history = _History(rng, end)
        communities = {c.slug: c for c in Community.objects.filter(slug__in=COMMUNITIES)}
        for day in range(days):
            date = start + timedelta(days=day)
            for slug, (staff, verifier) in COMMUNITIES.items():
                if slug not in communities:
                    continue
                for _n in range(_poisson(rng, per_day)):
                    moment = date.replace(hour=rng.randrange(8, 18), minute=rng.randrange(60))
                    _Life(history, communities[slug], staff, verifier, moment)
        say(f"history: {len(history.queue)} cases over {days} days")
        with transaction.atomic():
            history.run(set_now)
            # The year's notices are history too: the bells start with today's only.
            Notification.objects.filter(read_at=None, created_at__lt=end).update(read_at=end)
    say(f"history: {history.written} cases written")
    return history.written


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for small means.
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
