"""Registration (立案): locate the report, number it, flag a recurrence, route it, and start the timeline."""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import errors, routing_cache
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseFollower,
    CaseNumberCounter,
    CasePhoto,
    Category,
    Channel,
    EventKind,
    Status,
    Urgency,
)
from youlin.cases.permissions import label as _label
from youlin.cases.selectors import Routing, category_time_limit, followers_of, recurrence_root, route
from youlin.cases.services import rows
from youlin.cases.services.base import (
    _actor_label,
    _attach_photos,
    _check_photos,
    _required_text,
    _store_photos,
    _user_or_none,
)
from youlin.parties.models import Person
from youlin.places.geo import WGS84, GeometryError
from youlin.places.selectors import Location, locate

# ---------------------------------------------------------------- intake


_COUNTER_UPSERT = (
    "INSERT INTO {table} (community_id, day, last) VALUES (%s, %s, 1) "
    "ON CONFLICT (community_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)


def _allocate_number(community, now: datetime) -> str:
    """``SPK20261127001``: prefix, local date, daily sequence (at least three digits). One upsert moves the day's
    counter on and returns it; its row lock is held until commit, so concurrent registrations in one community
    queue here instead of colliding."""
    day = timezone.localdate(now)
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_UPSERT.format(table=table), [community.pk, day])
        (last,) = cursor.fetchone()
    return f"{community.case_prefix}{day:%Y%m%d}{last:03d}"


def _insert_numbered(case: Case, now: datetime) -> None:
    """PostgreSQL: ``_allocate_number`` and the case's ``INSERT`` in one statement (one round trip, not two): the
    counter's upsert is the ``WITH``, the number the same text, built in SQL."""
    day = timezone.localdate(now)
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    number = "(SELECT %s || lpad(last::text, greatest(3, length(last::text)), '0') FROM n)"  # {last:03d}
    rows.insert_computed(
        case,
        computed={"number": (number, [f"{case.community.case_prefix}{day:%Y%m%d}"])},
        before=(f"WITH n AS ({_COUNTER_UPSERT.format(table=table)})", [case.community.pk, day]),
    )


def _may_register(j: policy.Jurisdiction, community, channel: str) -> bool:
    if j.everything or community.pk in j.manage_community_ids:
        return True  # staff take every channel (hotline orders, meetings, API imports)
    if channel in {Channel.RESIDENT, Channel.API}:
        return True  # anyone may report, on the site or through an interface; identity is checked below
    if channel in {Channel.PATROL, Channel.DOOR_TO_DOOR}:
        return community.pk in j.view_community_ids  # grid workers, building captains, branch secretaries
    return False


# ``Choices.values`` builds a new list on each read.
_CHANNELS = frozenset(Channel.values)
_URGENCIES = frozenset(Urgency.values)


@dataclass
class _Registration:
    """A registration read and checked, before anything is written."""

    case: Case
    location: Location
    routing: Routing
    reporter: Person | None
    photos: list
    label: str
    followers: list
    now: datetime
    recurrence_of_number: str | None


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
    on_written: Callable[[Case], object] | None = None,
    also_write: Callable[[Case], Sequence[Model]] | None = None,
    phone_required: bool = True,
) -> Case:
    """Register (立案) a report: locate it, number it, flag a recurrence, route it to the responsible parties.

    ``actor`` may be anonymous for a resident's report, which then needs a phone number for the follow-up
    (unless ``phone_required`` is off: an Open311 client need not send one, GeoReport v2 makes it optional).
    ``photos`` (uploads, at most nine) show the problem; all are checked before anything is written. The
    registrant, the reporter and the people of the responsible organisations follow the case from here.

    Every check and read (place, permission, time limit, recurrence, routing, who follows) comes first; the
    write transaction then only inserts (number, case, parties, timeline, followers), so on SQLite the write
    lock is held for the inserts alone. ``on_written(case)`` runs inside that transaction (an interface's own
    record of the submission), so both commit or neither does. ``also_write(case)`` returns new rows of one
    model (such a record) to insert with the case's own last rows, in the same statement on PostgreSQL.
    """
    with routing_cache.held():  # one routing revision for every read below (one query, not one per lookup)
        prepared = _prepare(
            actor=actor,
            category=category,
            description=description,
            lon=lon,
            lat=lat,
            channel=channel,
            channel_detail=channel_detail,
            crs=crs,
            reporter=reporter,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
            address=address,
            urgency=urgency,
            hotline_number=hotline_number,
            hotline_received_at=hotline_received_at,
            hotline_unit=hotline_unit,
            photos=photos,
            phone_required=phone_required,
        )
    with transaction.atomic():
        case = _write(actor, prepared, also_write)
        if on_written is not None:
            on_written(case)
    return case


def _prepare(
    *,
    actor,
    category: Category,
    description: str,
    lon: float,
    lat: float,
    channel: str,
    channel_detail: str,
    crs: str,
    reporter: Person | None,
    reporter_name: str,
    reporter_phone: str,
    address: str,
    urgency: str | None,
    hotline_number: str,
    hotline_received_at: datetime | None,
    hotline_unit: str,
    photos: Sequence[UploadedFile],
    phone_required: bool = True,
) -> _Registration:
    """Every check and read of a registration (no write)."""
    description = _required_text(description, _("请描述问题：什么问题、在哪里、影响了谁。"), "description")
    if channel not in _CHANNELS:
        raise errors.invalid(_("来源渠道不正确。"), field="channel")
    if not category.is_active:
        raise errors.invalid(_("该类别已停用，请选择其他类别。"), field="category")
    if urgency is not None and urgency not in _URGENCIES:
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
    if reporter is None and phone_required and not reporter_phone.strip():
        raise errors.invalid(_("请留下联系电话，便于回访。"), field="reporter_phone")
    if not reporter_name and reporter is not None:
        reporter_name = reporter.name
    photos = _check_photos(photos)

    now = timezone.now()
    limit = category_time_limit(category, community.subdistrict_id, urgency=urgency)
    # A recurrence points at the first case of its chain.
    recurrence_of = recurrence_root(
        category,
        location.lon,
        location.lat,
        since=now - timedelta(days=settings.YOULIN_RECURRENCE_DAYS),
        radius_m=settings.YOULIN_DUPLICATE_RADIUS_M,
    )
    routing = route(category=category, location=location)
    responsible = sorted(followers_of(o.pk for o in routing.organisations))
    registered_by = _user_or_none(actor)
    followers = [registered_by.pk if registered_by else None, reporter.user_id if reporter else None, *responsible]

    case = rows.build(
        Case,
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
        registered_by=registered_by,
        tracking_token=secrets.token_urlsafe(24),
        hotline_number=hotline_number.strip(),
        hotline_received_at=hotline_received_at,
        hotline_unit=hotline_unit.strip(),
        status=Status.REGISTERED,
        urgency=limit.urgency,
        registered_at=now,
        deadline=limit.deadline(now),
        needs_deliberation=routing.is_joint,
        recurrence_of_id=recurrence_of[0] if recurrence_of else None,
    )
    return _Registration(
        case=case,
        location=location,
        routing=routing,
        reporter=reporter,
        photos=photos,
        label=_actor_label(actor, reporter_name),
        followers=followers,
        now=now,
        recurrence_of_number=recurrence_of[1] if recurrence_of else None,
    )


def _insert_case(case: Case, now: datetime) -> None:
    """The case's number and row."""
    if connection.vendor == "postgresql":
        _insert_numbered(case, now)
    else:  # SQLite runs in the process: a statement costs no round trip
        case.number = _allocate_number(case.community, now)
        rows.insert([case])


def _write(actor, r: _Registration, also_write: Callable[[Case], Sequence[Model]] | None = None) -> Case:
    """The inserts of a prepared registration (inside the caller's transaction): one plain ``INSERT`` per table
    (``rows``: the case, then its assignments, its two timeline events and its followers, which PostgreSQL
    takes in one statement), no ``save()``."""
    case, routing, now = r.case, r.routing, r.now
    if case.hotline_number:
        try:
            with transaction.atomic():
                _insert_case(case, now)
        except IntegrityError:
            if Case.objects.filter(hotline_number=case.hotline_number).exists():
                raise errors.invalid(_("该热线工单已登记，请勿重复录入。"), field="hotline_number") from None
            raise
    else:
        _insert_case(case, now)
    stored = _store_photos(actor, r.photos) if r.photos else []
    user = _user_or_none(actor)
    registered = rows.build(
        CaseEvent,
        case=case,
        kind=EventKind.REGISTERED,
        actor=user,
        actor_label=r.label,
        at=now,
        to_status=Status.REGISTERED,
        data={
            "channel": case.channel,
            "place": r.location.label,
            "recurrence_of": r.recurrence_of_number,
            **({"photos": [p.pk for p in stored]} if stored else {}),
        },
    )
    routed = rows.build(
        CaseEvent,
        case=case,
        kind=EventKind.ROUTED,
        actor=user,
        actor_label=r.label,
        at=now,
        from_status=Status.REGISTERED,
        to_status=Status.REGISTERED,
        data={
            "organisations": [o.pk for o in routing.organisations],
            "duty": routing.duty,
            "rule": routing.rule.pk if routing.rule else None,
            "place_kind": routing.place_kind,
            "joint": routing.is_joint,
            "fallback": routing.fallback,
        },
    )
    rows.insert_together(
        [CaseAssignment(case=case, organisation=o, duty=routing.duty) for o in routing.organisations],
        [registered, routed],  # in this order: the timeline sorts by (at, id)
        # A new case has no followers yet: the distinct ids are inserted plainly.
        [CaseFollower(case=case, user_id=pk) for pk in dict.fromkeys(r.followers) if pk],
        also_write(case) if also_write is not None else [],
    )
    _attach_photos(case, registered, stored, CasePhoto.Kind.BEFORE)
    return case
