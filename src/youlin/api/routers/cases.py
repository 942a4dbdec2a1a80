"""Cases: list (every filter of the case list, keyset cursor), create, detail with timeline, each step, +1.

Reads go through the access policy; every write is a cases service, which checks the role, the state and the
version. Anonymous callers see no case (cases hold residents' reports); they may look for open cases nearby.
"""

from __future__ import annotations

import inspect

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
    CaseUpdateFlagIn,
    CaseUpdateHideIn,
    CaseUpdateIn,
    CaseUpdateOut,
    CategoryOut,
    CategoryRef,
    ChannelName,
    NearbyCaseOut,
    StatusFilter,
    SupportOut,
)
from youlin.cases import selectors, services, steps
from youlin.cases.listing import case_search, decode_cursor
from youlin.cases.models import Case, Category
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
    triage: bool = Field(False, description="Only cases waiting for staff to confirm their place or category.")
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
    """Active categories: GB/T 47678.5-2026 codes and the local extensions, named in the language the request
    asks for (``Accept-Language: en`` gives the English names)."""
    return [present.category_out(c) for c in Category.objects.filter(is_active=True).order_by("kind", "code")]


@router.get("/cases", response={200: CasePageOut, **ERRORS}, auth=auth.optional)
def case_list(request, filters: Query[CaseFilters]):
    """Cases the caller may see, newest first, with every filter of the case list. Anonymous: none."""
    data = filters.dict()
    cursor = data.pop("cursor")
    if cursor and decode_cursor(cursor) is None:
        message = _("cursor 无效：请原样传回上一页返回的 next_cursor，或不传以从第一页开始。")
        raise ApiError(422, "invalid_cursor", message, {"cursor": message})
    page = case_search(request.user, data, cursor=cursor, limit=data.pop("limit"))
    return {"items": [present.case_summary(c) for c in page.rows], "next_cursor": page.next_cursor}


@router.get("/cases/nearby", response={200: list[NearbyCaseOut], **ERRORS}, auth=auth.optional)
def case_nearby(request, query: Query[NearbyQuery]):
    """Open cases of a category within 50 m (public): support one instead of filing it again."""
    category = _category(query.category, query.category_kind)
    return [
        {
            "number": c.number,
            "category": CategoryRef(code=category.code, kind=category.kind, name=category.label),
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


DETAIL = {200: CaseDetailOut, **ERRORS}


def _step_endpoint(step: steps.Step):
    """``POST /cases/{number}/<action>``: the step's input schema as the body (multipart when it takes photos),
    the step's service behind it, the case with its new state as the answer."""

    def endpoint(request, number: str, payload, photos=None):
        case = _case(request, number)
        data = payload.dict()
        if step.photos:
            data["photos"] = _photos(photos)
        step.perform(steps.StepCall(actor=request.user, case=case, data=data))
        return _detail(request, number)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("number", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
        inspect.Parameter(
            "payload",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Form[step.schema] if step.photos else step.schema,
        ),
    ]
    if step.photos:
        parameters.append(
            inspect.Parameter(
                "photos", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=File[list[UploadedFile]], default=None
            )
        )
    endpoint.__signature__ = inspect.Signature(parameters)
    endpoint.__name__ = f"case_{step.action}"
    return endpoint


for _s in steps.with_form():
    router.add_api_operation(
        f"/cases/{{number}}/{_s.action}",
        ["POST"],
        _step_endpoint(_s),
        auth=auth.required,
        response=DETAIL,
        operation_id=f"youlin_api_routers_cases_case_{_s.action}",
        summary=_s.api_summary or None,
        description=_s.api_description or None,
    )


@router.post("/cases/{number}/support", response={200: SupportOut, **ERRORS}, auth=auth.required)
def case_support(request, number: str):
    """+1, once per user. Like the web page, any signed-in caller may support a case they were shown. A number the
    caller may not open (another community's case, or none) is answered alike: 200 with ``support_count`` null."""
    case = services.case_support_by_number(actor=request.user, number=number)
    if case is None:
        return {"number": number, "support_count": None}
    return {"number": case.number, "support_count": case.support_count}


# ---------------------------------------------------------------- updates (进展留言)


def _update(case: Case, update_id: int):
    from youlin.cases.models import CaseUpdate

    update = CaseUpdate.objects.filter(case=case, pk=update_id).first()
    if update is None:
        raise ApiError(404, "not_found", _("没有找到这条留言。"))
    return update


def _shown(request, case: Case, update_id: int) -> dict:
    from youlin.cases import updates
    from youlin.cases.permissions import Standing

    for shown in updates.thread(case, standing=Standing(request.user, case)):
        if shown.pk == update_id:
            return present.case_update(request, shown)
    raise ApiError(404, "not_found", _("没有找到这条留言。"))


@router.post("/cases/{number}/updates", response={201: CaseUpdateOut, **ERRORS}, auth=auth.required)
def case_update_add(request, number: str, data: Form[CaseUpdateIn], photos: File[list[UploadedFile]] = None):
    """Add an update (multipart, text and up to nine photos). The reporter and whoever sees the case may; staff
    may keep theirs internal."""
    case = _case(request, number)
    update = services.case_update_add(
        actor=request.user, case=case, text=data.text, is_public=data.is_public, photos=_photos(photos)
    )
    return Status(201, _shown(request, case, update.pk))


@router.post("/cases/{number}/updates/{update_id}/flag", response={200: CaseUpdateOut, **ERRORS}, auth=auth.required)
def case_update_flag(request, number: str, update_id: int, data: CaseUpdateFlagIn):
    """Report a public update as abusive, once per caller."""
    case = _case(request, number)
    update = services.case_update_flag(
        actor=request.user,
        update=_update(case, update_id),
        key=services.flagger_key(actor=request.user),
        reason=data.reason,
    )
    return _shown(request, case, update.pk)


@router.post("/cases/{number}/updates/{update_id}/hide", response={200: CaseUpdateOut, **ERRORS}, auth=auth.required)
def case_update_hide(request, number: str, update_id: int, data: CaseUpdateHideIn):
    """Hide an update, with a reason (the case's community staff and sub-district officers). It is kept."""
    case = _case(request, number)
    update = services.case_update_hide(actor=request.user, update=_update(case, update_id), reason=data.reason)
    return _shown(request, case, update.pk)
