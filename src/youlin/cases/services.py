"""Every write to a case. One service call is one step of the loop:

    registered ─dispatch→ dispatched ─accept→ accepted ─start→ in_progress ─report_done→ reported_done
        │                    │                                     ↑                       │
        void                return → returned (re-route, dispatch again, or void)          verify
        ↓                                                          └──── failed (rework) ───┤
      voided                                                                                ↓ passed
                                  evaluated ←evaluate─ closed ←close─────────────────── verified
                                       └──────── reopen (≤ 30 days) ──→ dispatched

Each call loads the case, checks the transition (``TRANSITIONS``) and the actor's role, then writes with
``UPDATE … WHERE version = expected_version`` (a lost race is a ``conflict``) and appends a ``CaseEvent`` in
the same transaction. Photos sent with a step are all checked before anything is written, and stored only
once the version check has passed. Each step tells the case's followers (``CaseFollower``) through
``notifications.notify`` in the same transaction; e-mail copies go out after commit. Who may take a step is
decided in ``permissions``. Errors are ``CaseError`` with a stable code.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import categories as category_data
from youlin.cases import errors
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseExtension,
    CaseFollower,
    CaseNumberCounter,
    CasePhoto,
    CaseSupport,
    Category,
    Channel,
    EventKind,
    PlaceKind,
    RoutingRule,
    Satisfaction,
    Status,
    Urgency,
)
from youlin.cases.permissions import ACTION_LABELS as ACTION_LABELS  # re-exported: the rules moved to permissions
from youlin.cases.permissions import TRANSITIONS as TRANSITIONS
from youlin.cases.permissions import is_overdue, reopen_window_open
from youlin.cases.permissions import label as _label
from youlin.cases.permissions import require as _require
from youlin.cases.selectors import case_audience, category_time_limit, member_user_ids, recently_closed_nearby, route
from youlin.notifications.services import notify
from youlin.parties.models import Organisation, Person, Responsibility
from youlin.photos.models import Photo
from youlin.photos.services import PhotoError, PreparedPhoto, photo_create, photo_prepare
from youlin.places.geo import WGS84, GeometryError
from youlin.places.selectors import locate

Duty = Responsibility.Duty

MAX_PHOTOS = 9  # per step, as a phone's picker allows

# ---------------------------------------------------------------- categories and routing rules


@transaction.atomic
def category_load() -> int:
    """Load or refresh the GB/T 47678.5 categories and the local extensions; returns rows written."""
    return category_data.upsert_categories(Category)


def routing_rules_default() -> list[dict[str, Any]]:
    """District-wide default routing rules (community left empty). Each has a fixed ``key`` so seeding twice
    changes nothing. Categories are named by (kind, code) and resolved when seeding."""
    matter = Category.Kind.MATTER
    greenery = [("04080", "树坑破损"), ("06017", "绿地脏乱"), ("06018", "绿化弃料"), ("06021", "病虫害")]
    rules: list[dict[str, Any]] = [
        # Inside a compound: its property manager, else its owner unit.
        {"key": "building-pm", "place_kind": PlaceKind.BUILDING, "duty": Duty.PROPERTY_MANAGER, "priority": 10},
        {"key": "building-owner", "place_kind": PlaceKind.BUILDING, "duty": Duty.OWNER_UNIT, "priority": 20},
        {"key": "compound-pm", "place_kind": PlaceKind.COMPOUND, "duty": Duty.PROPERTY_MANAGER, "priority": 10},
        {"key": "compound-owner", "place_kind": PlaceKind.COMPOUND, "duty": Duty.OWNER_UNIT, "priority": 20},
        {
            "key": "compound-committee",
            "place_kind": PlaceKind.COMPOUND,
            "duty": Duty.MANAGEMENT_COMMITTEE,
            "priority": 30,
        },
        # Green space under zone responsibility: its garden group.
        {"key": "zone-garden", "place_kind": PlaceKind.ZONE, "duty": Duty.GARDEN_GROUP, "priority": 10},
        # Streets and public space: the urban-management office.
        {"key": "public-urban", "place_kind": PlaceKind.PUBLIC, "duty": Duty.URBAN_MANAGEMENT, "priority": 10},
        # Enforcement matters go to urban management wherever they are.
        {
            "key": "illegal-building",
            "category": (matter, "06001"),
            "place_kind": PlaceKind.ANY,
            "duty": Duty.URBAN_MANAGEMENT,
            "priority": 10,
        },
        {
            "key": "frontage-duty",
            "category": (matter, "09080"),
            "place_kind": PlaceKind.ANY,
            "duty": Duty.URBAN_MANAGEMENT,
            "priority": 10,
        },
        {
            "key": "street-order",
            "category_major": "09",
            "place_kind": PlaceKind.PUBLIC,
            "duty": Duty.URBAN_MANAGEMENT,
            "priority": 10,
        },
    ]
    for code, _name in greenery:
        rules.append(
            {
                "key": f"greenery-{code}",
                "category": (matter, code),
                "place_kind": PlaceKind.ZONE,
                "duty": Duty.GARDEN_GROUP,
                "priority": 10,
            }
        )
    return rules


def seed_routing_rules(rule_model, category_model) -> int:
    """Upsert the default rules into the given (real or historical) models; shared with the data migration."""
    specs = routing_rules_default()
    wanted = {spec["category"] for spec in specs if spec.get("category")}
    categories = {(c.kind, c.code): c for c in category_model.objects.all() if (c.kind, c.code) in wanted}
    existing = {r.key: r for r in rule_model.objects.filter(key__in=[s["key"] for s in specs])}
    written = 0
    for spec in specs:
        values = {
            "community": None,
            "category": categories.get(spec["category"]) if spec.get("category") else None,
            "category_major": spec.get("category_major", ""),
            "place_kind": spec["place_kind"],
            "duty": spec["duty"],
            "priority": spec["priority"],
        }
        if spec.get("category") and values["category"] is None:
            continue  # the category is not loaded (yet): skip rather than widen the rule to every category
        rule = existing.get(spec["key"])
        if rule is None:
            rule_model.objects.create(key=spec["key"], **values)
            written += 1
    return written


@transaction.atomic
def routing_rule_seed_defaults() -> int:
    """Create the district default routing rules that are missing (staff edits of existing ones are kept)."""
    return seed_routing_rules(RoutingRule, Category)


# ---------------------------------------------------------------- the write helpers


def _actor_label(actor, fallback: str = "") -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return str(actor)[:100]
    return fallback[:100]


def _user_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _fresh(case: Case, expected_version: int) -> Case:
    """The case as stored now; a stale ``expected_version`` is a conflict before any other check."""
    try:
        current = Case.objects.select_related("category", "community").get(pk=case.pk)
    except Case.DoesNotExist:
        raise errors.invalid(_("案件不存在或已被删除。")) from None
    if current.version != expected_version:
        raise errors.conflict()
    return current


def _check_transition(case: Case, action: str) -> str | None:
    allowed_from, to_status = TRANSITIONS[action]
    if case.status not in allowed_from:
        raise errors.illegal_transition(case.get_status_display(), _label(action))
    return to_status


def _event(
    case: Case,
    *,
    actor,
    kind: str,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
    actor_label: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=_user_or_none(actor),
        actor_label=actor_label or _actor_label(actor),
        at=at,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _write(
    case: Case,
    *,
    actor,
    expected_version: int,
    kind: str,
    now: datetime,
    to_status: str | None = None,
    fields: dict[str, Any] | None = None,
    note: str = "",
    data: dict | None = None,
    actor_label: str = "",
    photos: Sequence[PreparedPhoto] = (),
    photo_kind: str = CasePhoto.Kind.AFTER,
) -> Case:
    """UPDATE the case only if nobody changed it since ``expected_version``, then store the (already checked)
    photos and append the event they came with. Photos are stored only once the version check has passed."""
    updates = dict(fields or {})
    if to_status is not None:
        updates["status"] = to_status
    updates["version"] = F("version") + 1
    updates["updated_at"] = now
    if Case.objects.filter(pk=case.pk, version=expected_version).update(**updates) != 1:
        raise errors.conflict()
    stored = _store_photos(actor, photos)
    if stored:
        data = {**(data or {}), "photos": [p.pk for p in stored]}
    from_status = case.status
    event = _event(
        case,
        actor=actor,
        kind=kind,
        at=now,
        from_status=from_status,
        to_status=to_status or from_status,
        note=note,
        data=data,
        actor_label=actor_label,
    )
    _attach_photos(case, event, stored, photo_kind)
    case.refresh_from_db()
    return case


def _step(
    action: str,
    kind: str,
    *,
    actor,
    case: Case,
    expected_version: int,
    note: str = "",
    fields: dict[str, Any] | None = None,
    data: dict | None = None,
    token: str | None = None,
    photos: Sequence[UploadedFile] = (),
) -> Case:
    """One step of the loop: version, transition and role checks, the photos checked, then the write and
    the followers told (in the same transaction; e-mail copies go out after commit)."""
    current = _fresh(case, expected_version)
    to_status = _check_transition(current, action)
    facts = _require(actor, current, action, token=token)
    photos = _check_photos(photos)
    now = timezone.now()
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=kind,
        now=now,
        to_status=to_status,
        fields={k: (now if v is _NOW else v) for k, v in (fields or {}).items()},
        note=note,
        data={**facts, **(data or {})},
        actor_label=_actor_label(actor, current.reporter_name if facts.get("by") == "reporter" else ""),
        photos=photos,
    )
    _notify_followers(result, kind, actor=actor, note=note)
    _sync(case, result)
    return result


_NOW = object()  # placeholder in ``fields``: the time of this step


def _sync(target: Case, source: Case) -> None:
    """Let callers keep using the instance they passed in."""
    if target is not source:
        for f in Case._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


def _required_text(value: str, message, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise errors.invalid(message, field=field)
    return value


# ---------------------------------------------------------------- photos


def _check_photos(uploads: Sequence[UploadedFile]) -> list[PreparedPhoto]:
    """Check every upload before anything is written: one bad photo refuses the whole step. Returns the
    cleaned photos, ready to store."""
    uploads = list(uploads or ())
    if len(uploads) > MAX_PHOTOS:
        raise errors.invalid(
            _("每次最多上传 %(count)d 张照片，请删去一些再提交。") % {"count": MAX_PHOTOS}, field="photos"
        )
    prepared = []
    for number, upload in enumerate(uploads, start=1):
        try:
            prepared.append(photo_prepare(upload))
        except PhotoError as exc:
            message = exc.message
            if len(uploads) > 1:
                message = _("第 %(number)d 张照片：%(message)s") % {"number": number, "message": exc.message}
            raise errors.invalid(message, field="photos") from None
    return prepared


def _store_photos(actor, prepared: Sequence[PreparedPhoto]) -> list[Photo]:
    return [photo_create(actor=actor, prepared=p) for p in prepared]


def _attach_photos(case: Case, event: CaseEvent, photos: Sequence[Photo], kind: str) -> None:
    if photos:
        CasePhoto.objects.bulk_create([CasePhoto(case=case, photo=p, kind=kind, event=event) for p in photos])


# ---------------------------------------------------------------- followers and notifications

# The notice each step sends to a case's followers. Whole sentences, so each language words them its own way.
NOTICE_TITLES = {
    EventKind.DISPATCHED: _("案件 %(number)s 已派遣"),
    EventKind.VOIDED: _("案件 %(number)s 已作废"),
    EventKind.ACCEPTED: _("案件 %(number)s 已接单"),
    EventKind.RETURNED: _("案件 %(number)s 被退回"),
    EventKind.STARTED: _("案件 %(number)s 开始处置"),
    EventKind.REPORTED_DONE: _("案件 %(number)s 已反馈处置结果"),
    EventKind.VERIFIED: _("案件 %(number)s 核查通过"),
    EventKind.VERIFICATION_FAILED: _("案件 %(number)s 核查未通过，需返工"),
    EventKind.CLOSED: _("案件 %(number)s 已结案"),
    EventKind.EVALUATED: _("案件 %(number)s 已评价"),
    EventKind.REOPENED: _("案件 %(number)s 已重新打开"),
    EventKind.SUPERVISED: _("案件 %(number)s 已超期，被督办"),
    EventKind.MERGED: _("案件 %(number)s 已合并至案件 %(survivor)s"),
}


def case_url(case: Case) -> str:
    return f"/cases/{case.number}/"


def _notice_body(case: Case, note: str = "") -> str:
    body = f"{case.category.name} · {case.address}"
    return f"{body}\n{note}" if note else body


def _notify_followers(
    case: Case, kind: str, *, actor, note: str = "", managers: bool = False, values: dict | None = None
) -> None:
    """Tell the case's followers (and, with ``managers``, its community's staff) about a step, not the actor.
    Two queries however many they are."""
    title = NOTICE_TITLES.get(kind)
    if title is None:
        return
    notify(
        recipients=case_audience(case, managers=managers),
        title=title % {"number": case.number, **(values or {})},
        body=_notice_body(case, note),
        url=case_url(case),
        exclude=_user_or_none(actor),
    )


def _follow_by_default(case: Case, user_ids: Iterable[int | None]) -> None:
    rows = [CaseFollower(case=case, user_id=pk) for pk in dict.fromkeys(user_ids) if pk]
    CaseFollower.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def case_follow(*, actor, case: Case) -> CaseFollower:
    """Follow a case one may see, to be told about each step. Following twice changes nothing."""
    if actor is None or not actor.is_authenticated:
        raise errors.permission_denied(_("关注"))
    if not policy.can(actor, policy.VIEW, case):
        raise errors.outside_jurisdiction()
    follower, _created = CaseFollower.objects.get_or_create(case=case, user=actor)
    return follower


@transaction.atomic
def case_unfollow(*, actor, case: Case) -> bool:
    """Stop following; whether there was anything to stop."""
    if actor is None or not actor.is_authenticated:
        return False
    deleted, _rows = CaseFollower.objects.filter(case=case, user=actor).delete()
    return bool(deleted)


# ---------------------------------------------------------------- intake


def _allocate_number(community, now: datetime) -> str:
    """``SPK20261127001``: prefix, local date, daily sequence. The counter row's UPDATE holds a row lock until
    commit, so concurrent registrations in one community queue here instead of colliding."""
    day = timezone.localdate(now)
    counter, _created = CaseNumberCounter.objects.get_or_create(community=community, day=day)
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    last = CaseNumberCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
    return f"{community.case_prefix}{day:%Y%m%d}{last:03d}"


def _may_register(j: policy.Jurisdiction, community, channel: str) -> bool:
    if j.everything or community.pk in j.manage_community_ids:
        return True  # staff take every channel (hotline orders, meetings, API imports)
    if channel in {Channel.RESIDENT, Channel.API}:
        return True  # anyone may report, on the site or through an interface; identity is checked below
    if channel in {Channel.PATROL, Channel.DOOR_TO_DOOR}:
        return community.pk in j.view_community_ids  # grid workers, building captains, branch secretaries
    return False


@transaction.atomic
def case_register(
    *,
    actor,
    category: Category,
    description: str,
    lon: float,
    lat: float,
    channel: str,
    channel_detail: str = "",
    crs: str = WGS84,
    reporter: Person | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    address: str = "",
    urgency: str | None = None,
    hotline_number: str = "",
    hotline_received_at: datetime | None = None,
    hotline_unit: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Case:
    """Register (立案) a report: locate it, number it, flag a recurrence, route it to the responsible parties.

    ``actor`` may be anonymous for a resident's report, which then needs a phone number for the follow-up.
    ``photos`` (uploads, at most nine) show the problem; all are checked before anything is written. The
    registrant, the reporter and the people of the responsible organisations follow the case from here.
    """
    description = _required_text(description, _("请描述问题：什么问题、在哪里、影响了谁。"), "description")
    if channel not in Channel.values:
        raise errors.invalid(_("来源渠道不正确。"), field="channel")
    if not category.is_active:
        raise errors.invalid(_("该类别已停用，请选择其他类别。"), field="category")
    if urgency is not None and urgency not in Urgency.values:
        raise errors.invalid(_("紧急程度不正确。"), field="urgency")
    try:
        location = locate(lon, lat, crs=crs)
    except GeometryError as exc:
        code = CaseErrorCode.OUTSIDE_JURISDICTION if exc.code == "outside_jurisdiction" else CaseErrorCode.INVALID_INPUT
        raise CaseError(code, exc.message, field="location") from None
    community = location.community

    j = policy.jurisdiction_of(actor)
    if not _may_register(j, community, channel):
        raise errors.permission_denied(_label("register"))
    if reporter is None and j.person_id is not None and channel != Channel.HOTLINE:
        reporter = Person.objects.get(pk=j.person_id)
    if channel == Channel.HOTLINE and not hotline_number.strip():
        raise errors.invalid(_("热线工单请填写工单编号。"), field="hotline_number")
    if reporter is None and not reporter_phone.strip():
        raise errors.invalid(_("请留下联系电话，便于回访。"), field="reporter_phone")
    if not reporter_name and reporter is not None:
        reporter_name = reporter.name
    photos = _check_photos(photos)

    now = timezone.now()
    limit = category_time_limit(category, community.subdistrict_id)
    urgency = urgency or limit.urgency
    hours = limit.hours if urgency == limit.urgency else category_data.HOURS[urgency]
    closed_before = recently_closed_nearby(
        category,
        location.lon,
        location.lat,
        since=now - timedelta(days=settings.YOULIN_RECURRENCE_DAYS),
        radius_m=settings.YOULIN_DUPLICATE_RADIUS_M,
    )
    recurrence_of = None
    if closed_before:
        latest = closed_before[0]
        recurrence_of = latest.recurrence_of if latest.recurrence_of_id else latest  # chains point at the first
    routing = route(category=category, location=location)

    case = Case(
        number=_allocate_number(community, now),
        category=category,
        description=description,
        lon=location.lon,
        lat=location.lat,
        address=address.strip() or location.label,
        community=community,
        compound=location.compound,
        building=location.building,
        grid=location.grid,
        zone=location.zone,
        channel=channel,
        channel_detail=channel_detail.strip()[:64],
        reporter=reporter,
        reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(),
        registered_by=_user_or_none(actor),
        tracking_token=secrets.token_urlsafe(24),
        hotline_number=hotline_number.strip(),
        hotline_received_at=hotline_received_at,
        hotline_unit=hotline_unit.strip(),
        status=Status.REGISTERED,
        urgency=urgency,
        registered_at=now,
        deadline=now + timedelta(hours=hours),
        needs_deliberation=routing.is_joint,
        recurrence_of=recurrence_of,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        if hotline_number and Case.objects.filter(hotline_number=hotline_number.strip()).exists():
            raise errors.invalid(_("该热线工单已登记，请勿重复录入。"), field="hotline_number") from None
        raise
    CaseAssignment.objects.bulk_create(
        [CaseAssignment(case=case, organisation=o, duty=routing.duty) for o in routing.organisations]
    )
    label = _actor_label(actor, reporter_name)
    stored = _store_photos(actor, photos)
    registered = _event(
        case,
        actor=actor,
        kind=EventKind.REGISTERED,
        at=now,
        to_status=Status.REGISTERED,
        actor_label=label,
        data={
            "channel": channel,
            "place": location.label,
            "recurrence_of": recurrence_of.number if recurrence_of else None,
            **({"photos": [p.pk for p in stored]} if stored else {}),
        },
    )
    _attach_photos(case, registered, stored, CasePhoto.Kind.BEFORE)
    members = member_user_ids(o.pk for o in routing.organisations)
    responsible = sorted(set().union(*members.values()))
    _follow_by_default(case, [case.registered_by_id, reporter.user_id if reporter else None, *responsible])
    _event(
        case,
        actor=actor,
        kind=EventKind.ROUTED,
        at=now,
        from_status=Status.REGISTERED,
        to_status=Status.REGISTERED,
        actor_label=label,
        data={
            "organisations": [o.pk for o in routing.organisations],
            "duty": routing.duty,
            "rule": routing.rule.pk if routing.rule else None,
            "place_kind": routing.place_kind,
            "joint": routing.is_joint,
            "fallback": routing.fallback,
        },
    )
    return case


# ---------------------------------------------------------------- the loop


@transaction.atomic
def case_dispatch(*, actor, case: Case, expected_version: int, note: str = "") -> Case:
    """Send the case to its responsible organisations (set at registration, or re-routed by staff)."""
    current = _fresh(case, expected_version)
    _check_transition(current, "dispatch")
    _require(actor, current, "dispatch")
    if not current.assignments.exists():
        raise errors.invalid(_("此案件还没有责任单位，请先指定责任单位再派遣。"), field="organisations")
    return _step(
        "dispatch",
        EventKind.DISPATCHED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        fields={"dispatched_at": _NOW},
    )


@transaction.atomic
def case_void(*, actor, case: Case, expected_version: int, reason: str) -> Case:
    reason = _required_text(reason, _("请说明作废理由，例如：重复上报、不属实、不属于受理范围。"), "reason")
    return _step("void", EventKind.VOIDED, actor=actor, case=case, expected_version=expected_version, note=reason)


@transaction.atomic
def case_route_override(
    *,
    actor,
    case: Case,
    expected_version: int,
    organisations: Sequence[Organisation],
    reason: str,
    duty: str = "",
) -> Case:
    """Staff replace the responsible organisations. The timeline keeps who it was, who it is and why."""
    reason = _required_text(reason, _("请说明调整责任单位的理由。"), "reason")
    organisations = list(dict.fromkeys(organisations))
    if not organisations:
        raise errors.invalid(_("请至少选择一个责任单位。"), field="organisations")
    if duty and duty not in Duty.values:
        raise errors.invalid(_("职责不正确。"), field="duty")
    current = _fresh(case, expected_version)
    _check_transition(current, "reroute")
    _require(actor, current, "reroute")
    before = list(current.assignments.values_list("organisation_id", flat=True))
    duty = duty or (current.assignments.values_list("duty", flat=True).first() or Duty.URBAN_MANAGEMENT)
    current.assignments.all().delete()
    CaseAssignment.objects.bulk_create([CaseAssignment(case=current, organisation=o, duty=duty) for o in organisations])
    _refollow(current, before=before, after=[o.pk for o in organisations])
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.REROUTED,
        now=timezone.now(),
        fields={"needs_deliberation": len(organisations) > 1},
        note=reason,
        data={"from": before, "to": [o.pk for o in organisations], "duty": duty},
    )
    _sync(case, result)
    return result


def _refollow(case: Case, *, before: Sequence[int], after: Sequence[int]) -> None:
    """The people of the new organisations follow; those of the replaced ones stop (they no longer see the
    case), unless they registered or reported it or belong to an organisation still responsible."""
    members = member_user_ids([*before, *after])
    staying = {pk for org in after for pk in members.get(org, ())}
    leaving = {pk for org in set(before) - set(after) for pk in members.get(org, ())}
    leaving -= staying | {case.registered_by_id, case.reporter.user_id if case.reporter_id else None}
    if leaving:
        CaseFollower.objects.filter(case=case, user_id__in=leaving).delete()
    _follow_by_default(case, staying)


@transaction.atomic
def case_accept(*, actor, case: Case, expected_version: int, note: str = "") -> Case:
    result = _step(
        "accept",
        EventKind.ACCEPTED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        fields={"accepted_at": _NOW},
    )
    j = policy.jurisdiction_of(actor)
    CaseAssignment.objects.filter(case=result, organisation_id__in=j.organisation_ids, accepted_at=None).update(
        accepted_at=result.accepted_at
    )
    return result


@transaction.atomic
def case_return(*, actor, case: Case, expected_version: int, reason: str) -> Case:
    """A party says the case is not theirs; the community re-routes it (or voids it)."""
    reason = _required_text(reason, _("请说明退回理由，例如：不属于本单位管理范围，并注明应由谁负责。"), "reason")
    return _step("return", EventKind.RETURNED, actor=actor, case=case, expected_version=expected_version, note=reason)


@transaction.atomic
def case_start(*, actor, case: Case, expected_version: int, note: str = "") -> Case:
    return _step("start", EventKind.STARTED, actor=actor, case=case, expected_version=expected_version, note=note)


@transaction.atomic
def case_report_done(
    *, actor, case: Case, expected_version: int, note: str = "", photos: Sequence[UploadedFile] = ()
) -> Case:
    """The party reports the work done, with up to nine photos of the result (kind "after")."""
    return _step(
        "report_done",
        EventKind.REPORTED_DONE,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        fields={"reported_done_at": _NOW},
        photos=photos,
    )


@transaction.atomic
def case_verify(
    *, actor, case: Case, expected_version: int, passed: bool, note: str = "", photos: Sequence[UploadedFile] = ()
) -> Case:
    """A grid worker checks on site, with up to nine photos of what they found (kind "after"). Failing sends
    it back to the party and counts one rework."""
    if passed:
        return _step(
            "verify",
            EventKind.VERIFIED,
            actor=actor,
            case=case,
            expected_version=expected_version,
            note=note,
            fields={"verified_at": _NOW},
            photos=photos,
        )
    note = _required_text(note, _("请写明核查发现的问题，便于责任单位返工。"), "note")
    return _step(
        "verify_fail",
        EventKind.VERIFICATION_FAILED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        fields={"rework_count": F("rework_count") + 1, "reported_done_at": None},
        photos=photos,
    )


@transaction.atomic
def case_close(*, actor, case: Case, expected_version: int, note: str = "") -> Case:
    return _step(
        "close",
        EventKind.CLOSED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        fields={"closed_at": _NOW},
    )


@transaction.atomic
def case_evaluate(
    *,
    actor,
    case: Case,
    expected_version: int,
    satisfaction: str,
    comment: str = "",
    responded: bool | None = None,
    resolved: bool | None = None,
    token: str | None = None,
) -> Case:
    """The reporter (logged in, or holding the tracking token) rates the result: the follow-up visit.

    ``responded`` defaults to yes (the case reached closure); ``resolved`` defaults to "not dissatisfied".
    """
    if satisfaction not in Satisfaction.values:
        raise errors.invalid(_("请选择满意、基本满意或不满意。"), field="satisfaction")
    if responded is None:
        responded = True
    if resolved is None:
        resolved = satisfaction != Satisfaction.DISSATISFIED
    return _step(
        "evaluate",
        EventKind.EVALUATED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=comment.strip(),
        token=token,
        fields={
            "evaluated_at": _NOW,
            "satisfaction": satisfaction,
            "responded": responded,
            "resolved": resolved,
            "evaluation_comment": comment.strip(),
        },
        data={"satisfaction": satisfaction, "responded": responded, "resolved": resolved},
    )


@transaction.atomic
def case_reopen(*, actor, case: Case, expected_version: int, reason: str, token: str | None = None) -> Case:
    """Within 30 days of closing, the problem is back: the case returns to its parties with a new deadline.
    The earlier closing and evaluation stay on the timeline; the case counts as closed again only when it is."""
    reason = _required_text(reason, _("请说明问题为何没有解决。"), "reason")
    current = _fresh(case, expected_version)
    _check_transition(current, "reopen")
    _require(actor, current, "reopen", token=token)
    now = timezone.now()
    if not reopen_window_open(current, now):
        raise CaseError(
            CaseErrorCode.WINDOW_CLOSED,
            _("结案已超过 30 天，不能重新打开。请重新上报一个新的诉求。"),
        )
    return _step(
        "reopen",
        EventKind.REOPENED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=reason,
        token=token,
        fields={
            "reopen_count": F("reopen_count") + 1,
            "deadline": now + timedelta(hours=current.category.time_limit_hours),
            "dispatched_at": _NOW,
            "accepted_at": None,
            "reported_done_at": None,
            "verified_at": None,
            "closed_at": None,
            "evaluated_at": None,
            "satisfaction": "",
            "responded": None,
            "resolved": None,
            "evaluation_comment": "",
        },
        data={"closed_at": current.closed_at.isoformat()},
    )


# ---------------------------------------------------------------- deadline, supervision, support, merge


@transaction.atomic
def case_extension_request(
    *, actor, case: Case, expected_version: int, requested_deadline: datetime, reason: str
) -> CaseExtension:
    reason = _required_text(reason, _("请说明需要延期的理由。"), "reason")
    current = _fresh(case, expected_version)
    _check_transition(current, "extension_request")
    facts = _require(actor, current, "extension_request")
    if requested_deadline <= current.deadline:
        raise errors.invalid(_("申请的期限必须晚于当前期限。"), field="requested_deadline")
    if current.extensions.filter(status=CaseExtension.Status.PENDING).exists():
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("已有一个待审批的延期申请，请等待社区审批。"))
    extension = CaseExtension.objects.create(
        case=current,
        requested_by=_user_or_none(actor),
        reason=reason,
        old_deadline=current.deadline,
        requested_deadline=requested_deadline,
    )
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.EXTENSION_REQUESTED,
        now=timezone.now(),
        note=reason,
        data={**facts, "extension": extension.pk, "requested_deadline": requested_deadline.isoformat()},
    )
    _sync(case, result)
    return extension


@transaction.atomic
def case_extension_decide(
    *,
    actor,
    extension: CaseExtension,
    expected_version: int,
    approve: bool,
    note: str = "",
    deadline: datetime | None = None,
) -> CaseExtension:
    """The community approves (the case gets the new deadline, or one it sets) or rejects a request."""
    extension = CaseExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != CaseExtension.Status.PENDING:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("该延期申请已处理。"))
    current = _fresh(extension.case, expected_version)
    _check_transition(current, "extension_decide")
    _require(actor, current, "extension_decide")
    now = timezone.now()
    new_deadline = deadline or extension.requested_deadline
    if approve and new_deadline <= current.deadline:
        raise errors.invalid(_("新的期限必须晚于当前期限。"), field="deadline")
    extension.status = CaseExtension.Status.APPROVED if approve else CaseExtension.Status.REJECTED
    extension.decided_by = _user_or_none(actor)
    extension.decided_at = now
    extension.decision_note = note.strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED,
        now=now,
        fields={"deadline": new_deadline} if approve else None,
        note=note.strip(),
        data={
            "extension": extension.pk,
            "old_deadline": current.deadline.isoformat(),
            "deadline": new_deadline.isoformat() if approve else None,
        },
    )
    return extension


@transaction.atomic
def case_supervise(*, actor, case: Case, expected_version: int, note: str = "") -> Case:
    """督办: staff press an overdue case. Only an overdue open case can be supervised."""
    current = _fresh(case, expected_version)
    _check_transition(current, "supervise")
    _require(actor, current, "supervise")
    if not is_overdue(current, timezone.now()):
        raise errors.invalid(_("案件尚未超期，无需督办。"))
    return _step(
        "supervise",
        EventKind.SUPERVISED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note.strip(),
        fields={"supervise_count": F("supervise_count") + 1},
    )


SYSTEM_LABEL = _("系统")


@transaction.atomic
def case_supervise_overdue(*, case: Case, expected_version: int, now: datetime | None = None) -> Case:
    """督办 by the system: the overdue sweep presses an open case once per overdue period (a later deadline
    starts a new one). The event has no user; the followers and the community's staff are told."""
    current = _fresh(case, expected_version)
    _check_transition(current, "supervise")
    now = now or timezone.now()
    if not is_overdue(current, now):
        raise errors.invalid(_("案件尚未超期，无需督办。"))
    if current.events.filter(kind=EventKind.SUPERVISED, at__gte=current.deadline).exists():
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("此案件超期后已督办过。"))
    result = _write(
        current,
        actor=None,
        expected_version=expected_version,
        kind=EventKind.SUPERVISED,
        now=now,
        fields={"supervise_count": F("supervise_count") + 1},
        data={"by": "system", "deadline": current.deadline.isoformat()},
        actor_label=str(SYSTEM_LABEL),
    )
    _notify_followers(result, EventKind.SUPERVISED, actor=None, managers=True)
    _sync(case, result)
    return result


@transaction.atomic
def case_support(*, actor, case: Case) -> Case:
    """+1 from a signed-in user, once per case. A counter, not a step of the loop: it takes no version and
    writes no timeline event (the support row is its own record), so many residents can +1 at once."""
    if actor is None or not actor.is_authenticated:
        raise errors.permission_denied(_label("support"))
    if case.status in {Status.VOIDED, Status.MERGED}:
        raise errors.illegal_transition(case.get_status_display(), _label("support"))
    try:
        with transaction.atomic():
            CaseSupport.objects.create(case=case, user=actor)
    except IntegrityError:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("您已经为这个诉求点过赞了。")) from None
    Case.objects.filter(pk=case.pk).update(support_count=F("support_count") + 1)
    case.refresh_from_db(fields=["support_count"])
    return case


@transaction.atomic
def case_merge(
    *,
    actor,
    case: Case,
    survivor: Case,
    expected_version: int,
    reason: str = "",
) -> Case:
    """A duplicate joins the case that goes on (the survivor): it points there, ends as merged, and hands over
    its supporters' count. Both timelines record it."""
    if case.pk == survivor.pk:
        raise errors.invalid(_("不能把案件合并到它自己。"), field="survivor")
    current = _fresh(case, expected_version)
    _check_transition(current, "merge")
    _require(actor, current, "merge")
    target = Case.objects.select_for_update().get(pk=survivor.pk)
    if target.community_id != current.community_id:
        raise errors.invalid(_("只能合并同一社区的案件。"), field="survivor")
    if target.status in {Status.VOIDED, Status.MERGED}:
        raise errors.invalid(_("目标案件已作废或已被合并，请选择其他案件。"), field="survivor")
    _require(actor, target, "merge")
    now = timezone.now()
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.MERGED,
        now=now,
        to_status=Status.MERGED,
        fields={"merged_into": target},
        note=reason.strip(),
        data={"survivor": target.number},
    )
    Case.objects.filter(pk=target.pk).update(
        support_count=F("support_count") + current.support_count, version=F("version") + 1, updated_at=now
    )
    _event(
        target,
        actor=actor,
        kind=EventKind.ABSORBED,
        at=now,
        from_status=target.status,
        to_status=target.status,
        note=reason.strip(),
        data={"merged": current.number},
    )
    _notify_followers(result, EventKind.MERGED, actor=actor, note=reason.strip(), values={"survivor": target.number})
    # Whoever followed the duplicate now follows the case that goes on.
    _follow_by_default(target, CaseFollower.objects.filter(case=current).values_list("user_id", flat=True))
    survivor.refresh_from_db()
    _sync(case, result)
    return result


# ---------------------------------------------------------------- deliberation and projects

# Timeline kinds other apps may append without a step of the loop. The labels belong in ``EventKind``:
# until they are there, the timeline shows these raw names.
ANNOTATION_KINDS = frozenset({"deliberated", "action_item_done", "escalated"})


@transaction.atomic
def case_annotate(*, actor, case: Case, kind: str, note: str = "", data: dict | None = None) -> CaseEvent:
    """Record on a case's timeline what another app did about it: a meeting's resolution, a finished action
    item, an escalation to a project. Not a step of the loop: the status and the version stay as they are."""
    if kind not in ANNOTATION_KINDS:
        raise errors.invalid(_("不支持的进程类型。"), field="kind")
    current = Case.objects.get(pk=case.pk)
    return _event(
        current,
        actor=actor,
        kind=kind,
        at=timezone.now(),
        from_status=current.status,
        to_status=current.status,
        note=note,
        data=data,
    )


# Statuses a project's acceptance may verify a case from: every open one (a case taken up by a project often
# never went through dispatch and report-back on its own).
PROJECT_ACCEPTABLE_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.RETURNED,
        Status.IN_PROGRESS,
        Status.REPORTED_DONE,
    }
)


@transaction.atomic
def case_accept_by_project(
    *,
    actor,
    case: Case,
    expected_version: int,
    project_label: str,
    photos: Sequence[Photo] = (),
    note: str = "",
    data: dict | None = None,
) -> Case:
    """A project's acceptance (验收) verifies a case it was built for: the case moves to verified with the
    project's after photos (already stored), its followers are told, and the community closes it as usual.
    Only someone who may change the case (its community's staff, its sub-district's officers) accepts."""
    current = _fresh(case, expected_version)
    if current.status not in PROJECT_ACCEPTABLE_STATUSES:
        raise errors.illegal_transition(current.get_status_display(), _("通过项目验收核查"))
    if not policy.can(actor, policy.CHANGE, current):
        raise errors.permission_denied(_("通过项目验收核查"))
    now = timezone.now()
    updates = {
        "status": Status.VERIFIED,
        "verified_at": now,
        "version": F("version") + 1,
        "updated_at": now,
    }
    if Case.objects.filter(pk=current.pk, version=expected_version).update(**updates) != 1:
        raise errors.conflict()
    photos = list(photos)
    event = _event(
        current,
        actor=actor,
        kind=EventKind.VERIFIED,
        at=now,
        from_status=current.status,
        to_status=Status.VERIFIED,
        note=note,
        data={"project": project_label, **(data or {}), **({"photos": [p.pk for p in photos]} if photos else {})},
    )
    _attach_photos(current, event, photos, CasePhoto.Kind.AFTER)
    current.refresh_from_db()
    _notify_followers(current, EventKind.VERIFIED, actor=actor, note=note)
    _sync(case, current)
    return current
