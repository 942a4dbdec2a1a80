"""Cases: list (every filter of the case list, keyset cursor), create, detail with timeline, each step, +1.

Reads go through the access policy; every write is a cases service, which checks the role, the state and the
version. Anonymous callers see no case (cases hold residents' reports); they may look for open cases nearby.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from youlin.access import policy
from youlin.api import auth, present
from youlin.api.errors import ERRORS, ApiError
from youlin.api.schemas import (
    CaseDetailOut,
    CaseIn,
    CasePageOut,
    CategoryOut,
    CategoryRef,
    ChannelName,
    EvaluateIn,
    ExtensionDecideIn,
    ExtensionRequestIn,
    MergeIn,
    NearbyCaseOut,
    NoteIn,
    ReasonIn,
    RerouteIn,
    StatusFilter,
    SupportOut,
    VerifyIn,
)
from youlin.cases import selectors, services
from youlin.cases.listing import case_search
from youlin.cases.models import Case, CaseExtension, Category
from youlin.parties.models import Organisation
from youlin.photos.services import MAX_BYTES as MAX_PHOTO_BYTES

router = Router(tags=["cases"])


class CaseFilters(Schema):
    status: StatusFilter | None = None
    category: int | None = Field(None, ge=1, le=2**63 - 1)
    grid: int | None = Field(None, ge=1, le=2**63 - 1)
    compound: int | None = Field(None, ge=1, le=2**63 - 1)
    organisation: int | None = Field(None, ge=1, le=2**63 - 1)
    community: int | None = Field(None, ge=1, le=2**63 - 1)
    channel: ChannelName | None = None
    overdue: bool = False
    recurrence: bool = False
    deliberation: bool = False
    q: str | None = Field(None, max_length=50, description="A case number, or words of the description.")
    cursor: str | None = Field(None, max_length=80, description="next_cursor of the previous page.")
    limit: int = Field(30, ge=1, le=100)


class NearbyQuery(Schema):
    category: str = Field(pattern=r"^[0-9]{5}$")
    category_kind: str = Field("matter", pattern=r"^(matter|component)$")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)


def _case(request, number: str) -> Case:
    return policy.get_for(
        request.user,
        Case.objects.select_related(
            "category", "community", "compound", "building", "grid", "reporter", "recurrence_of", "merged_into"
        ),
        policy.VIEW,
        number=number,
    )


def _detail(request, number: str) -> dict:
    return present.case_detail(request, _case(request, number))


def _category(code: str, kind: str) -> Category:
    category = Category.objects.filter(code=code, kind=kind, is_active=True).first()
    if category is None:
        message = _("没有这个问题类别，请从 /categories 中选择有效的代码。")
        raise ApiError(422, "invalid_input", message, {"category": message})
    return category


def _photos(photos) -> list:
    """Photos the service would refuse as too big are refused here with 413; the service checks the content."""
    photos = list(photos or [])
    for upload in photos:
        if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
            message = _("照片不能超过 %(mb)d MB，请压缩后重新上传。") % {"mb": MAX_PHOTO_BYTES // 1024 // 1024}
            raise ApiError(413, "too_large", message, {"photos": message})
    return photos


# ---------------------------------------------------------------- reads


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, auth=auth.optional, tags=["categories"])
def category_list(request):
    """Active categories: GB/T 47678.5-2026 codes and the local extensions."""
    return list(Category.objects.filter(is_active=True).order_by("kind", "code"))


@router.get("/cases", response={200: CasePageOut, **ERRORS}, auth=auth.optional)
def case_list(request, filters: Query[CaseFilters]):
    """Cases the caller may see, newest first, with every filter of the case list. Anonymous: none."""
    data = filters.dict()
    page = case_search(request.user, data, cursor=data.pop("cursor"), limit=data.pop("limit"))
    return {"items": [present.case_summary(c) for c in page.rows], "next_cursor": page.next_cursor}


@router.get("/cases/nearby", response={200: list[NearbyCaseOut], **ERRORS}, auth=auth.optional)
def case_nearby(request, query: Query[NearbyQuery]):
    """Open cases of a category within 50 m (public): support one instead of filing it again."""
    category = _category(query.category, query.category_kind)
    return [
        {
            "number": c.number,
            "category": CategoryRef(code=category.code, kind=category.kind, name=category.name),
            "status": c.status,
            "distance_m": round(c.distance_m, 1),
            "support_count": c.support_count,
            "registered_at": c.registered_at,
        }
        for c in selectors.nearby_open_cases(category, query.lon, query.lat)[:20]
    ]


@router.get("/cases/{number}", response={200: CaseDetailOut, **ERRORS}, auth=auth.optional)
def case_detail(request, number: str):
    """One case with its parties, timeline, photos and the steps the caller may take."""
    return _detail(request, number)


# ---------------------------------------------------------------- writes


@router.post("/cases", response={201: CaseDetailOut, **ERRORS}, auth=auth.required)
def case_create(request, data: Form[CaseIn], photos: File[list[UploadedFile]] = None):
    """File a case (multipart, up to nine photos). It is located, numbered and routed like any other."""
    case = services.case_register(
        actor=request.user,
        category=_category(data.category, data.category_kind),
        description=data.description,
        lon=data.lon,
        lat=data.lat,
        crs=data.crs,
        channel=data.channel,
        address=data.address,
        reporter_name=data.reporter_name,
        reporter_phone=data.reporter_phone,
        urgency=data.urgency,
        hotline_number=data.hotline_number,
        photos=_photos(photos),
    )
    return Status(201, _detail(request, case.number))


def _step(request, number: str, call) -> dict:
    case = _case(request, number)
    call(case)
    return _detail(request, number)


DETAIL = {200: CaseDetailOut, **ERRORS}


@router.post("/cases/{number}/dispatch", response=DETAIL, auth=auth.required)
def case_dispatch(request, number: str, payload: NoteIn):
    return _step(
        request,
        number,
        lambda c: services.case_dispatch(
            actor=request.user, case=c, expected_version=payload.expected_version, note=payload.note
        ),
    )


@router.post("/cases/{number}/void", response=DETAIL, auth=auth.required)
def case_void(request, number: str, payload: ReasonIn):
    return _step(
        request,
        number,
        lambda c: services.case_void(
            actor=request.user, case=c, expected_version=payload.expected_version, reason=payload.reason
        ),
    )


@router.post("/cases/{number}/reroute", response=DETAIL, auth=auth.required)
def case_reroute(request, number: str, payload: RerouteIn):
    organisations = list(Organisation.objects.filter(pk__in=payload.organisations))
    if len(organisations) != len(set(payload.organisations)):
        message = _("有责任单位不存在，请检查编号。")
        raise ApiError(422, "invalid_input", message, {"organisations": message})
    return _step(
        request,
        number,
        lambda c: services.case_route_override(
            actor=request.user,
            case=c,
            expected_version=payload.expected_version,
            organisations=organisations,
            reason=payload.reason,
            duty=payload.duty,
        ),
    )


@router.post("/cases/{number}/accept", response=DETAIL, auth=auth.required)
def case_accept(request, number: str, payload: NoteIn):
    return _step(
        request,
        number,
        lambda c: services.case_accept(
            actor=request.user, case=c, expected_version=payload.expected_version, note=payload.note
        ),
    )


@router.post("/cases/{number}/return", response=DETAIL, auth=auth.required)
def case_return(request, number: str, payload: ReasonIn):
    return _step(
        request,
        number,
        lambda c: services.case_return(
            actor=request.user, case=c, expected_version=payload.expected_version, reason=payload.reason
        ),
    )


@router.post("/cases/{number}/start", response=DETAIL, auth=auth.required)
def case_start(request, number: str, payload: NoteIn):
    return _step(
        request,
        number,
        lambda c: services.case_start(
            actor=request.user, case=c, expected_version=payload.expected_version, note=payload.note
        ),
    )


@router.post("/cases/{number}/report_done", response=DETAIL, auth=auth.required)
def case_report_done(request, number: str, payload: Form[NoteIn], photos: File[list[UploadedFile]] = None):
    """Multipart: the note and up to nine photos of the result."""
    checked = _photos(photos)
    return _step(
        request,
        number,
        lambda c: services.case_report_done(
            actor=request.user, case=c, expected_version=payload.expected_version, note=payload.note, photos=checked
        ),
    )


@router.post("/cases/{number}/verify", response=DETAIL, auth=auth.required)
def case_verify(request, number: str, payload: Form[VerifyIn], photos: File[list[UploadedFile]] = None):
    """Multipart: passed (true/false), the note (required when it failed) and up to nine photos."""
    checked = _photos(photos)
    return _step(
        request,
        number,
        lambda c: services.case_verify(
            actor=request.user,
            case=c,
            expected_version=payload.expected_version,
            passed=payload.passed,
            note=payload.note,
            photos=checked,
        ),
    )


@router.post("/cases/{number}/extension_request", response=DETAIL, auth=auth.required)
def case_extension_request(request, number: str, payload: ExtensionRequestIn):
    return _step(
        request,
        number,
        lambda c: services.case_extension_request(
            actor=request.user,
            case=c,
            expected_version=payload.expected_version,
            requested_deadline=payload.requested_deadline,
            reason=payload.reason,
        ),
    )


@router.post("/cases/{number}/extension_decide", response=DETAIL, auth=auth.required)
def case_extension_decide(request, number: str, payload: ExtensionDecideIn):
    def call(case):
        extension = CaseExtension.objects.filter(pk=payload.extension, case=case).first()
        if extension is None:
            message = _("没有找到这个延期申请。")
            raise ApiError(404, "not_found", message, {"extension": message})
        services.case_extension_decide(
            actor=request.user,
            extension=extension,
            expected_version=payload.expected_version,
            approve=payload.approve,
            note=payload.note,
            deadline=payload.deadline,
        )

    return _step(request, number, call)


@router.post("/cases/{number}/supervise", response=DETAIL, auth=auth.required)
def case_supervise(request, number: str, payload: NoteIn):
    return _step(
        request,
        number,
        lambda c: services.case_supervise(
            actor=request.user, case=c, expected_version=payload.expected_version, note=payload.note
        ),
    )


@router.post("/cases/{number}/close", response=DETAIL, auth=auth.required)
def case_close(request, number: str, payload: NoteIn):
    return _step(
        request,
        number,
        lambda c: services.case_close(
            actor=request.user, case=c, expected_version=payload.expected_version, note=payload.note
        ),
    )


@router.post("/cases/{number}/evaluate", response=DETAIL, auth=auth.required)
def case_evaluate(request, number: str, payload: EvaluateIn):
    return _step(
        request,
        number,
        lambda c: services.case_evaluate(
            actor=request.user,
            case=c,
            expected_version=payload.expected_version,
            satisfaction=payload.satisfaction,
            comment=payload.comment,
        ),
    )


@router.post("/cases/{number}/reopen", response=DETAIL, auth=auth.required)
def case_reopen(request, number: str, payload: ReasonIn):
    return _step(
        request,
        number,
        lambda c: services.case_reopen(
            actor=request.user, case=c, expected_version=payload.expected_version, reason=payload.reason
        ),
    )


@router.post("/cases/{number}/merge", response=DETAIL, auth=auth.required)
def case_merge(request, number: str, payload: MergeIn):
    """Merge this duplicate into the survivor (a case of the same community the caller may see)."""
    survivor = policy.get_for(request.user, Case.objects.all(), policy.VIEW, number=payload.survivor.strip())
    return _step(
        request,
        number,
        lambda c: services.case_merge(
            actor=request.user,
            case=c,
            survivor=survivor,
            expected_version=payload.expected_version,
            reason=payload.reason,
        ),
    )


@router.post("/cases/{number}/support", response={200: SupportOut, **ERRORS}, auth=auth.required)
def case_support(request, number: str):
    """+1, once per user. Like the web page, any signed-in caller may support a case they were shown."""
    case = Case.objects.filter(number=number).first()
    if case is None:
        raise ApiError(404, "not_found", _("没有找到这个案件。"))
    case = services.case_support(actor=request.user, case=case)
    return {"number": case.number, "support_count": case.support_count}
