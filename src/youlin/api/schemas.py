"""What the API answers and accepts. Outputs are built by ``present`` functions from rows the routers fetched."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from youlin.cases.models import Channel, Status, Urgency

StatusFilter = Literal[tuple(["open", *Status.values])]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
UrgencyName = Literal[tuple(Urgency.values)]  # type: ignore[valid-type]


# ---------------------------------------------------------------- references


class Ref(Schema):
    id: int
    name: str


class CommunityRef(Schema):
    id: int
    code: str
    name: str
    slug: str


class CategoryRef(Schema):
    code: str
    kind: str
    name: str


class OrganisationRef(Schema):
    id: int
    name: str
    kind: str


class CategoryOut(Schema):
    id: int
    code: str
    kind: str
    major_code: str
    major: str
    name: str
    urgency: str
    time_limit: int
    time_limit_unit: Literal["hours", "working_hours", "working_days"]
    is_local: bool


# ---------------------------------------------------------------- cases


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    category: CategoryRef
    description: str
    lon: float
    lat: float
    address: str
    community: CommunityRef
    compound: Ref | None
    building: Ref | None
    grid: Ref | None
    channel: str
    channel_detail: str
    urgency: str
    registered_at: datetime
    deadline: datetime
    updated_at: datetime
    closed_at: datetime | None
    overdue: bool
    needs_deliberation: bool
    support_count: int
    version: int = Field(description="Pass as expected_version with the next step.")


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")


class ReporterOut(Schema):
    name: str
    phone: str
    masked: bool


class AssignmentOut(Schema):
    organisation: OrganisationRef
    duty: str
    accepted_at: datetime | None


class EventOut(Schema):
    kind: str
    kind_label: str
    at: datetime
    actor: str = Field(description="Who took the step; empty for readers who are not the case's staff.")
    from_status: str
    to_status: str
    note: str = Field(description="Internal: for the case's staff; empty for its reporter and other readers.")
    public_note: str = Field("", description="The reply written for the public (Open311 status_notes, tracking page).")


class PhotoOut(Schema):
    url: str
    thumbnail_url: str
    width: int
    height: int
    kind: str


class UpdatePhotoOut(Schema):
    url: str
    thumbnail_url: str


class CaseUpdateOut(Schema):
    id: int
    author: str = Field(description="Masked for callers who do not manage the case.")
    text: str = Field(description="Phone and ID numbers masked for callers who do not manage the case.")
    created_at: datetime
    is_public: bool
    hidden: bool
    hidden_reason: str
    photos: list[UpdatePhotoOut]


class CaseUpdateIn(Schema):
    text: str = Field(min_length=1, max_length=2000)
    is_public: bool = Field(True, description="Staff may keep an update internal; residents' are always public.")


class CaseUpdateFlagIn(Schema):
    reason: str = Field("", max_length=200)


class CaseUpdateHideIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class CaseDetailOut(CaseOut):
    reporter: ReporterOut | None
    assignments: list[AssignmentOut]
    timeline: list[EventOut]
    photos: list[PhotoOut]
    actions: list[str] = Field(description="The steps this caller may take now (each is an endpoint).")
    updates: list[CaseUpdateOut] = Field(description="Updates (进展留言) this caller may read, oldest first.")
    recurrence_of: str | None
    merged_into: str | None
    satisfaction: str
    evaluated_at: datetime | None


class NearbyCaseOut(Schema):
    number: str
    category: CategoryRef
    status: str
    distance_m: float
    support_count: int
    registered_at: datetime


class SupportOut(Schema):
    number: str
    support_count: int | None = Field(description="Null for a case the caller may not open (or no such case).")


class CaseIn(Schema):
    category: str = Field(pattern=r"^[0-9]{5}$", description="GB/T 47678.5 code, e.g. 06080")
    category_kind: Literal["matter", "component"] = "matter"
    description: str = Field(min_length=1, max_length=4000)
    lon: float = Field(allow_inf_nan=False)
    lat: float = Field(allow_inf_nan=False)
    crs: Literal["wgs84", "gcj02"] = "wgs84"
    address: str = Field("", max_length=200)
    channel: ChannelName = Field("api", description="How the report came in; staff may record any channel.")
    reporter_name: str = Field("", max_length=64)
    reporter_phone: str = Field("", max_length=32)
    urgency: UrgencyName | None = None
    hotline_number: str = Field("", max_length=40)


# ---------------------------------------------------------------- places


class CompoundRef(Schema):
    id: int
    name: str
    kind: str


class GridRef(Schema):
    id: int
    code: str
    name: str


class DutyOut(Schema):
    organisation: OrganisationRef
    duty: str
    duty_label: str
    place: str


class LocationOut(Schema):
    lon: float
    lat: float
    label: str
    community: CommunityRef
    compound: CompoundRef | None
    building: Ref | None
    grid: GridRef | None
    zone: Ref | None
    responsible: list[DutyOut]
    shared: bool = Field(description="Several owner units or property managers share the place.")
    grid_workers: list[str] = Field(description="Names, for callers who may view the community; else empty.")


class SubdistrictRef(Schema):
    code: str
    name: str


class CommunityOut(CommunityRef):
    subdistrict: SubdistrictRef
    households: int


class EntranceOut(Schema):
    id: int
    name: str
    households: int


class BuildingOut(Schema):
    id: int
    name: str
    households: int
    floors: int | None
    entrances: list[EntranceOut]


class CompoundOut(Schema):
    id: int
    name: str
    kind: str
    households: int
    buildings: list[BuildingOut]


class NamedPointOut(Schema):
    id: int
    name: str
    kind: str
    lon: float
    lat: float


class CommunityStructureOut(CommunityOut):
    compounds: list[CompoundOut]
    grids: list[GridRef]
    zones: list[Ref]
    named_points: list[NamedPointOut]
