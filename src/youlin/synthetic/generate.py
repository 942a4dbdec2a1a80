"""``generate_city``: a whole synthetic city, with ``cases`` cases spread over the two years before ``end``.

Shares (of all cases): channels hotline 45 %, patrol 28 %, resident 14 %, door-to-door 6 %, API 5 %,
meeting 2 %; voided 3 %, merged 1 %, recurrences ~4 %, reworked 5 %, never finished 0.8 %; handling time a
log-normal share of the category's time limit (about one in ten late, and supervised when late); follow-up
visits on 90 % of closed hotline/resident/API cases and 40 % of the others. Each case's state is the last
step that happened before ``end``, so recent cases are open and some open ones are overdue.

Every case is located with ``places.selectors.locate_many`` (the index built from the outlines just
written), so its community, compound, building, grid and zone are what ``locate`` would say. Case numbers
follow the registration numbering (prefix, local date, daily sequence) and the number counters are left at
the last number used, so ``case_register`` carries on without collisions. Tracking tokens come from the
seed: synthetic data only, never for real residents.
"""

from __future__ import annotations

import base64
import bisect
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import transaction

from youlin.cases import routing_cache, workdays
from youlin.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseNumberCounter,
    Category,
    Channel,
    EventKind,
    Satisfaction,
    Status,
)
from youlin.places.index import bump_revision, forget_index
from youlin.places.models import Community, District
from youlin.places.selectors import locate_many
from youlin.synthetic import bulk
from youlin.synthetic.city import CityPlaces, CommunityInfo, build_places, person_name

LOCAL = ZoneInfo("Asia/Shanghai")
DEFAULT_END = date(2026, 11, 1)
SPAN_DAYS = 730
HOUR = 3600.0
DAY = 86400.0

CHANNELS = [
    (Channel.HOTLINE, 45),
    (Channel.PATROL, 28),
    (Channel.RESIDENT, 14),
    (Channel.DOOR_TO_DOOR, 6),
    (Channel.API, 5),
    (Channel.MEETING, 2),
]
VISITED = {Channel.HOTLINE: 0.9, Channel.RESIDENT: 0.9, Channel.API: 0.9}
# The everyday problems of a Beijing community come first; the rest of the standard follows a long tail.
COMMON_CODES = ["06036", "06010", "06013", "09010", "07001", "06007", "09006", "10002", "01037", "04002"]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 9, 10, 12, 12, 11, 10, 8, 6, 5, 4, 2, 1]
PHRASES = ["影响居民通行", "多次反映未解决", "存在安全隐患", "老人出行不便", "夜间尤其明显", "希望尽快处理"]
CHUNK_CASES = 100_000


@dataclass(frozen=True)
class CitySpec:
    subdistricts: int
    communities_per: int
    cases: int
    seed: int = 1
    grids_per: int = 20
    compounds_per: int = 8
    buildings_per: int = 4
    end: date = DEFAULT_END
    district_code: str = ""

    @property
    def code(self) -> str:
        return self.district_code or f"99{self.seed % 10000:04d}"


class GenerateError(ValueError):
    pass


def _check(spec: CitySpec) -> None:
    if not (1 <= spec.subdistricts <= 999 and 1 <= spec.communities_per <= 999 and 1 <= spec.grids_per <= 999):
        raise GenerateError("subdistricts, communities per sub-district and grids per community must be 1–999")
    if spec.cases < 0 or spec.compounds_per < 1 or spec.buildings_per < 1:
        raise GenerateError("cases must be ≥ 0, compounds and buildings ≥ 1")
    if District.objects.filter(code=spec.code).exists():
        raise GenerateError(f"district {spec.code} exists already: use another seed or --district-code")
    if Community.objects.filter(case_prefix__startswith=f"Z{spec.code[-1]}").exists():
        raise GenerateError(f"case prefixes Z{spec.code[-1]}… are taken: use a district code ending in another digit")


def _category_table(rng: random.Random) -> tuple[list[Category], list[float]]:
    categories = list(Category.objects.filter(is_active=True).order_by("kind", "code"))
    if not categories:
        raise GenerateError("no categories: run the migrations first")
    common = {code: i for i, code in enumerate(COMMON_CODES)}
    local = [c for c in categories if c.is_local]
    ranked = sorted(
        categories, key=lambda c: (c.code not in common, not c.is_local, common.get(c.code, 0), c.kind, c.code)
    )
    head = len(common) + len(local)
    tail = ranked[head:]
    rng.shuffle(tail)
    ranked = ranked[:head] + tail
    weights = [1.0 / (rank + 3) ** 1.2 for rank in range(len(ranked))]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return ranked, cumulative


def _token(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(192).to_bytes(24, "big")).decode()


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


@dataclass
class _Draft:
    """A case before it is located and written: the times are epoch seconds, ``steps`` the timeline."""

    id: int
    community: CommunityInfo
    at: float
    category: Category
    lon: float
    lat: float
    channel: str
    steps: list  # (kind, at, from_status, to_status, data)
    fields: dict
    recurrence_of: int | None = None
    merged_into: int | None = None


def _point_in(rng: random.Random, box, inset: float = 1e-6) -> tuple[float, float]:
    return (rng.uniform(box[0] + inset, box[2] - inset), rng.uniform(box[1] + inset, box[3] - inset))


def _sample_point(rng: random.Random, community: CommunityInfo) -> tuple[float, float]:
    r = rng.random()
    if r < 0.55 and community.compounds:
        compound = community.compounds[rng.randrange(len(community.compounds))]
        if compound.buildings and rng.random() < 0.6:
            return _point_in(rng, compound.buildings[rng.randrange(len(compound.buildings))][1])
        return _point_in(rng, compound.box)
    if r < 0.65 and community.zone:
        return _point_in(rng, community.zone[1])
    return _point_in(rng, community.box)


def _lifecycle(rng: random.Random, draft: _Draft, end: float, survivor: _Draft | None) -> None:
    """Fill ``draft.steps`` and the step columns: the whole life, then cut at ``end``."""
    reg = draft.at
    limit = workdays.Limit(draft.category.time_limit, draft.category.time_limit_unit)
    deadline = workdays.add(datetime.fromtimestamp(reg, UTC), limit).timestamp()
    limit = deadline - reg
    scale = min(1.0, limit / (24 * HOUR))  # urgent matters move in minutes, not hours
    R, V = Status.REGISTERED, Status.VOIDED
    steps = [(EventKind.REGISTERED, reg, "", R, None), (EventKind.ROUTED, reg, R, R, None)]
    f = {"deadline": deadline}
    outcome = rng.random()
    if outcome < 0.03:
        steps.append((EventKind.VOIDED, reg + rng.uniform(0.5, 24) * HOUR * scale, R, V, "不属于受理范围"))
    elif outcome < 0.04 and survivor is not None and survivor.merged_into is None:
        at = reg + rng.uniform(0.5, 12) * HOUR * scale
        steps.append((EventKind.MERGED, at, R, Status.MERGED, "重复上报"))
        draft.merged_into = survivor.id
    else:
        dispatched = reg + rng.uniform(300, 2 * HOUR) * scale
        accepted = dispatched + rng.uniform(600, 4 * HOUR) * scale
        started = accepted + rng.uniform(300, HOUR) * scale
        steps += [
            (EventKind.DISPATCHED, dispatched, R, Status.DISPATCHED, None),
            (EventKind.ACCEPTED, accepted, Status.DISPATCHED, Status.ACCEPTED, None),
            (EventKind.STARTED, started, Status.ACCEPTED, Status.IN_PROGRESS, None),
        ]
        f.update(dispatched_at=dispatched, accepted_at=accepted)
        if rng.random() >= 0.008:  # a few are never finished: the long-overdue tail
            done = max(started + 60, reg + limit * rng.lognormvariate(-1.0, 0.6))
            steps.append((EventKind.REPORTED_DONE, done, Status.IN_PROGRESS, Status.REPORTED_DONE, None))
            if rng.random() < 0.05:
                failed = done + rng.uniform(HOUR, DAY) * scale
                done = failed + limit * rng.uniform(0.05, 0.3)
                steps += [
                    (EventKind.VERIFICATION_FAILED, failed, Status.REPORTED_DONE, Status.IN_PROGRESS, "未处理到位"),
                    (EventKind.REPORTED_DONE, done, Status.IN_PROGRESS, Status.REPORTED_DONE, None),
                ]
            verified = done + rng.uniform(HOUR, 24 * HOUR) * scale
            closed = verified + rng.uniform(600, 8 * HOUR) * scale
            steps += [
                (EventKind.VERIFIED, verified, Status.REPORTED_DONE, Status.VERIFIED, None),
                (EventKind.CLOSED, closed, Status.VERIFIED, Status.CLOSED, None),
            ]
            if rng.random() < VISITED.get(draft.channel, 0.4):
                late = closed > deadline
                r = rng.random()
                if r < (0.6 if late else 0.82):
                    satisfaction = Satisfaction.SATISFIED
                elif r < (0.8 if late else 0.94):
                    satisfaction = Satisfaction.BASICALLY_SATISFIED
                else:
                    satisfaction = Satisfaction.DISSATISFIED
                visit = {
                    "satisfaction": satisfaction,
                    "responded": rng.random() < 0.97,
                    "resolved": satisfaction != Satisfaction.DISSATISFIED and rng.random() < 0.97,
                }
                steps.append(
                    (EventKind.EVALUATED, closed + rng.uniform(1, 5) * DAY, Status.CLOSED, Status.EVALUATED, visit)
                )
        last = max(s[1] for s in steps)
        if last > deadline:  # late: the overdue sweep supervised it once
            steps.append((EventKind.SUPERVISED, deadline + rng.uniform(60, 6 * HOUR), None, None, None))
    steps.sort(key=lambda s: s[1])
    kept, status = [], ""
    for kind, at, from_status, to_status, data in steps:
        if at >= end:
            break
        if kind == EventKind.SUPERVISED:
            from_status = to_status = status
        kept.append((kind, at, from_status, to_status, data))
        status = to_status
    draft.steps = kept
    f["status"] = status
    seen = {kind: at for kind, at, *_rest in kept}
    for kind, column in (
        (EventKind.DISPATCHED, "dispatched_at"),
        (EventKind.ACCEPTED, "accepted_at"),
        (EventKind.REPORTED_DONE, "reported_done_at"),
        (EventKind.VERIFIED, "verified_at"),
        (EventKind.CLOSED, "closed_at"),
        (EventKind.EVALUATED, "evaluated_at"),
    ):
        f[column] = seen.get(kind)
    f["rework_count"] = int(EventKind.VERIFICATION_FAILED in seen)
    f["supervise_count"] = int(EventKind.SUPERVISED in seen)
    visit = next((data for kind, _at, _f, _t, data in kept if kind == EventKind.EVALUATED), None)
    f["visit"] = visit
    f["updated"] = kept[-1][1]
    draft.fields = f


def _first(pair):
    return pair[0]


def _dt(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(round(t, 3), UTC)


CASE_FIELDS = [
    "id",
    "number",
    "category",
    "description",
    "lon",
    "lat",
    "address",
    "community",
    "compound",
    "building",
    "grid",
    "zone",
    "channel",
    "reporter_name",
    "reporter_phone",
    "tracking_token",
    "hotline_number",
    "hotline_received_at",
    "hotline_unit",
    "status",
    "version",
    "urgency",
    "registered_at",
    "deadline",
    "needs_deliberation",
    "dispatched_at",
    "accepted_at",
    "reported_done_at",
    "verified_at",
    "closed_at",
    "evaluated_at",
    "satisfaction",
    "responded",
    "resolved",
    "evaluation_comment",
    "rework_count",
    "reopen_count",
    "supervise_count",
    "support_count",
    "merged_into",
    "recurrence_of",
    "created_at",
    "updated_at",
]
EVENT_FIELDS = ["case", "kind", "actor_label", "at", "from_status", "to_status", "note", "data"]
ASSIGNMENT_FIELDS = ["case", "organisation", "duty", "accepted_at", "created_at"]
COUNTER_FIELDS = ["community", "day", "last"]


class _CaseWriter:
    """Turns located drafts into rows of cases, events, assignments and number counters, and writes them."""

    def __init__(self, city: CityPlaces):
        self.compounds = {c.id: c for info in city.communities for c in info.compounds}
        self.buildings = {b[0]: b[2] for c in self.compounds.values() for b in c.buildings}
        self.building_compound = {b[0]: c for c in self.compounds.values() for b in c.buildings}
        self.zones = {info.zone[0]: info.zone[2] for info in city.communities if info.zone}
        self.subdistrict_names = {sd.pk: sd.name for sd in city.subdistricts}
        self.offices = city.offices

    def write(self, rng: random.Random, drafts: list[_Draft]) -> tuple[int, int]:
        located = locate_many([(d.lon, d.lat) for d in drafts])
        numbers: dict[tuple[int, date], int] = {}
        number_of: dict[int, str] = {}
        by_id = {d.id: d for d in drafts}
        for draft in drafts:  # drafts come community by community, in registration order
            day = _dt(draft.at).astimezone(LOCAL).date()
            key = (draft.community.id, day)
            numbers[key] = numbers.get(key, 0) + 1
            number_of[draft.id] = f"{draft.community.prefix}{day:%Y%m%d}{numbers[key]:03d}"
        case_rows, event_rows, assignment_rows = [], [], []
        for draft, where in zip(drafts, located, strict=True):
            if where is None or where.community_id != draft.community.id:
                raise GenerateError(f"case {draft.id} fell outside its community: the layout is broken")
            f = draft.fields
            reg = _dt(draft.at)
            day = reg.astimezone(LOCAL).date()
            number = number_of[draft.id]
            compound = self.compounds.get(where.compound_id)
            parts = [draft.community.name]
            if compound:
                parts.append(compound.name)
            if where.building_id:
                parts.append(self.buildings[where.building_id])
            place = " · ".join(parts)
            if where.building_id or compound:
                owner = compound or self.building_compound[where.building_id]
                organisation, duty, place_kind = (
                    owner.organisation_id,
                    owner.duty,
                    ("building" if where.building_id else "compound"),
                )
            elif where.zone_id:
                organisation, duty, place_kind = self.zones[where.zone_id], "garden_group", "zone"
            else:
                organisation, duty, place_kind = (
                    self.offices[draft.community.subdistrict_id],
                    "urban_management",
                    "public",
                )
            hotline = draft.channel == Channel.HOTLINE
            with_reporter = draft.channel in (Channel.HOTLINE, Channel.RESIDENT, Channel.API)
            visit = f["visit"] or {}
            case_rows.append(
                (
                    draft.id,
                    number,
                    draft.category.pk,
                    f"{draft.category.name}：{place}，{PHRASES[rng.randrange(len(PHRASES))]}。",
                    round(draft.lon, 7),
                    round(draft.lat, 7),
                    place,
                    where.community_id,
                    where.compound_id,
                    where.building_id,
                    where.grid_id,
                    where.zone_id,
                    draft.channel,
                    person_name(rng) if with_reporter else "",
                    _phone(rng) if with_reporter else "",
                    _token(rng),
                    f"GD{day:%Y%m%d}{draft.id:09d}" if hotline else "",
                    _dt(draft.at - rng.uniform(300, 3 * HOUR)) if hotline else None,
                    f"{self.subdistrict_names[draft.community.subdistrict_id]}" if hotline else "",
                    f["status"],
                    len(draft.steps) - 1,
                    draft.category.urgency,
                    reg,
                    _dt(f["deadline"]),
                    False,
                    _dt(f["dispatched_at"]),
                    _dt(f["accepted_at"]),
                    _dt(f["reported_done_at"]),
                    _dt(f["verified_at"]),
                    _dt(f["closed_at"]),
                    _dt(f["evaluated_at"]),
                    visit.get("satisfaction", ""),
                    visit.get("responded"),
                    visit.get("resolved"),
                    "",
                    f["rework_count"],
                    0,
                    f["supervise_count"],
                    0,
                    draft.merged_into,
                    draft.recurrence_of,
                    reg,
                    _dt(f["updated"]),
                )
            )
            for kind, at, from_status, to_status, data in draft.steps:
                if kind == EventKind.REGISTERED:
                    payload = {
                        "channel": draft.channel,
                        "place": place,
                        "recurrence_of": number_of[draft.recurrence_of] if draft.recurrence_of else None,
                    }
                elif kind == EventKind.ROUTED:
                    payload = {
                        "organisations": [organisation],
                        "duty": duty,
                        "rule": None,
                        "place_kind": place_kind,
                        "joint": False,
                        "fallback": place_kind == "public",
                    }
                elif kind == EventKind.SUPERVISED:
                    payload = {"by": "system", "deadline": _dt(f["deadline"]).isoformat()}
                elif kind == EventKind.MERGED:
                    payload = {"survivor": number_of[draft.merged_into]}
                    survivor = by_id[draft.merged_into]
                    status = next((s[3] for s in reversed(survivor.steps) if s[1] <= at), Status.REGISTERED)
                    event_rows.append(
                        (
                            survivor.id,
                            EventKind.ABSORBED,
                            "",
                            _dt(at),
                            status,
                            status,
                            data,
                            bulk.as_json({"merged": number}),
                        )
                    )
                elif isinstance(data, dict):
                    payload = data
                else:
                    payload = {}
                note = data if isinstance(data, str) else ""
                label = "系统" if kind == EventKind.SUPERVISED else ""
                event_rows.append((draft.id, kind, label, _dt(at), from_status, to_status, note, bulk.as_json(payload)))
            assignment_rows.append((draft.id, organisation, duty, _dt(f["accepted_at"]), reg))
        counters = [(community_id, day, last) for (community_id, day), last in numbers.items()]
        with transaction.atomic():
            bulk.write_rows(Case, CASE_FIELDS, case_rows)
            bulk.write_rows(CaseEvent, EVENT_FIELDS, event_rows)
            bulk.write_rows(CaseAssignment, ASSIGNMENT_FIELDS, assignment_rows)
            bulk.write_rows(CaseNumberCounter, COUNTER_FIELDS, counters)
        return len(case_rows), len(event_rows)


def generate_city(spec: CitySpec, *, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build the city of ``spec``; returns counts of what was written (and seconds taken)."""
    say = progress or (lambda _message: None)
    started = time.monotonic()
    _check(spec)
    rng = random.Random(spec.seed)
    with transaction.atomic():
        city = build_places(
            rng,
            district_code=spec.code,
            subdistricts=spec.subdistricts,
            communities_per=spec.communities_per,
            grids_per=spec.grids_per,
            compounds_per=spec.compounds_per,
            buildings_per=spec.buildings_per,
        )
    forget_index()  # locate against the outlines just written
    # Planner statistics for the places and parties just written (a server whose autovacuum is off, or has not
    # come round yet, would plan routing's reads of them by guesswork: seconds of hash joins in a bench).
    bulk.analyze(*apps.get_app_config("places").get_models(), *apps.get_app_config("parties").get_models())
    say(f"places and parties: {city.counts} ({time.monotonic() - started:.1f} s)")

    categories, cumulative = _category_table(rng)
    end = datetime(spec.end.year, spec.end.month, spec.end.day, tzinfo=LOCAL).timestamp()
    start = end - SPAN_DAYS * DAY
    communities = city.communities
    per_community = [0] * len(communities)
    weights = [c.weight for c in communities]
    for i in rng.choices(range(len(communities)), weights=weights, k=spec.cases):
        per_community[i] += 1
    channels, channel_weights = zip(*CHANNELS, strict=True)
    next_case = bulk.next_id(Case)
    writer = _CaseWriter(city)
    written_cases = written_events = 0
    drafts: list[_Draft] = []
    for community, count in zip(communities, per_community, strict=True):
        times = sorted(
            start
            + rng.randrange(SPAN_DAYS) * DAY
            + (rng.choices(range(24), weights=HOUR_WEIGHTS)[0] + rng.random()) * HOUR  # start is local midnight
            for _ in range(count)
        )
        closed_recently: list[tuple[float, _Draft]] = []  # (closed time, case), in closing order
        previous: _Draft | None = None
        for at in times:
            draft = _Draft(
                id=next_case,
                community=community,
                at=at,
                category=None,
                lon=0.0,
                lat=0.0,
                channel=rng.choices(channels, weights=channel_weights)[0],
                steps=[],
                fields={},
            )
            next_case += 1
            root = None
            if rng.random() < 0.05 and closed_recently:
                lo = bisect.bisect_left(closed_recently, at - 90 * DAY, key=_first)
                hi = bisect.bisect_left(closed_recently, at, key=_first)
                if hi > lo:
                    root = closed_recently[rng.randrange(lo, hi)][1]
            if root is not None:
                draft.category, draft.lon, draft.lat = root.category, root.lon, root.lat
                draft.recurrence_of = root.recurrence_of or root.id
            else:
                draft.category = categories[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
                draft.lon, draft.lat = _sample_point(rng, community)
            _lifecycle(rng, draft, end, previous)
            closed_at = draft.fields.get("closed_at")
            if closed_at is not None:
                bisect.insort(closed_recently, (closed_at, draft), key=_first)
            if draft.merged_into is None and draft.fields["status"] not in (Status.VOIDED, Status.MERGED):
                previous = draft
            drafts.append(draft)
        if len(drafts) >= CHUNK_CASES:
            cases, events = writer.write(rng, drafts)
            written_cases, written_events = written_cases + cases, written_events + events
            drafts = []
            say(f"cases: {written_cases:,} ({written_events:,} events, {time.monotonic() - started:.0f} s)")
    if drafts:
        cases, events = writer.write(rng, drafts)
        written_cases, written_events = written_cases + cases, written_events + events
    bulk.reset_sequences(Case, CaseEvent, CaseAssignment, CaseNumberCounter)
    bulk.analyze(Case, CaseEvent, CaseAssignment, CaseNumberCounter)
    bump_revision()
    routing_cache.bump_revision()  # organisations and responsibilities went in with bulk_create (no signals)
    counts = {
        **city.counts,
        "cases": written_cases,
        "events": written_events,
        "seconds": round(time.monotonic() - started, 1),
    }
    say(f"done: {counts}")
    return counts
