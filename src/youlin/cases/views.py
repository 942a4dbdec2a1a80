"""Case pages: intake (grid worker, resident), the list, the case page with its steps, tracking, tasks.

Views parse input, call a service or selector, and render. Every read goes through the access policy; every
write is a service call that raises CaseError with a message for the person in front of the screen.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from youlin.access import policy
from youlin.cases import selectors, services
from youlin.cases.errors import CaseError
from youlin.cases.forms import (
    CaseFilterForm,
    EvaluateForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    MeasuresForm,
    MergeForm,
    NoteForm,
    PatrolIntakeForm,
    PhotoNoteForm,
    ReasonForm,
    RerouteForm,
    ResidentIntakeForm,
    StaffIntakeForm,
    VerifyForm,
)
from youlin.cases.listing import case_search
from youlin.cases.models import MASKED_REPORTER_CHANNELS, OPEN_STATUSES, Case, CaseExtension, Category, Channel, Status
from youlin.deliberation.selectors import meetings_for_case, resolutions_for_case
from youlin.parties.models import Organisation
from youlin.photos.services import PhotoError, photo_prepare
from youlin.places.geo import shape_from_geojson
from youlin.places.models import Building, Community
from youlin.places.selectors import community_geojson, community_structure

# ---------------------------------------------------------------- helpers


def _case_map(case: Case) -> dict:
    """The case's pin with its compound and building outlines around it (no other case, no person)."""
    features = []
    if case.compound_id and case.compound.geometry:
        features.append(
            {
                "type": "Feature",
                "geometry": case.compound.geometry,
                "properties": {"layer": "compound", "name": case.compound.name},
            }
        )
    if case.building_id and case.building.geometry:
        features.append(
            {
                "type": "Feature",
                "geometry": case.building.geometry,
                "properties": {"layer": "building", "name": case.building.name},
            }
        )
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
            "properties": {"layer": "point", "name": case.number},
        }
    )
    return {"type": "FeatureCollection", "features": features}


def _categories():
    """Local community codes first (the everyday ones), then the standard by major class."""
    rows = list(Category.objects.filter(is_active=True).order_by("-is_local", "kind", "code"))
    groups: dict[str, list[Category]] = {}
    for c in rows:
        groups.setdefault(_("社区常用") if c.is_local else f"{c.major_code} {c.major}", []).append(c)
    return groups


def _point_of(form_data) -> tuple[float, float, str]:
    """The case's point: coordinates from the phone or the map, else the chosen building's centre, else the
    GPS position the first photo recorded (read before its EXIF is stripped)."""
    if form_data.get("lon") is not None and form_data.get("lat") is not None:
        return form_data["lon"], form_data["lat"], form_data.get("crs") or "wgs84"
    if form_data.get("building") is not None:
        building = Building.objects.filter(pk=form_data["building"]).first()
        if building is None or not building.geometry:
            raise CaseError("invalid_input", _("所选楼栋不存在，请重新选择。"), field="building")
        centre = shape_from_geojson(building.geometry).representative_point()
        return centre.x, centre.y, "wgs84"
    for upload in form_data.get("photos") or []:
        try:
            gps = photo_prepare(upload).gps
        except PhotoError as exc:
            raise CaseError("invalid_input", exc.message, field="photos") from None
        if gps:
            return gps[0], gps[1], "wgs84"
    raise CaseError("invalid_input", _("照片中没有位置信息。请使用当前定位、在地图上点选，或选择楼栋。"))


def _category_or_error(pk) -> Category:
    category = Category.objects.filter(pk=pk, is_active=True).first()
    if category is None:
        raise CaseError("invalid_input", _("请选择有效的问题类别。"), field="category")
    return category


def _intake_context(communities):
    features = []
    buildings = []
    for community in communities:
        full = community_structure(community)
        features.extend(community_geojson(full)["features"])
        for compound in full.compounds.all():
            buildings.extend((b.pk, f"{compound.name}{b.name}") for b in compound.buildings.all())
    return {
        "categories": _categories(),
        "geojson": {"type": "FeatureCollection", "features": features},
        "buildings": buildings,
    }


def _case_for(request, number: str, action: str = policy.VIEW) -> Case:
    return policy.get_for(
        request.user,
        Case.objects.select_related(
            "category",
            "community__subdistrict",
            "compound",
            "building",
            "grid",
            "reporter",
            "recurrence_of",
            "merged_into",
        ),
        action,
        number=number,
    )


def _add_error(form, exc: CaseError):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


# ---------------------------------------------------------------- intake


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """The grid worker's (and building captain's) report: photo, location, category, description."""
    communities = list(policy.visible_communities(request.user).order_by("code"))
    if not communities:
        raise Http404
    staff = policy.jurisdiction_of(request.user).is_staff_level
    form_class = StaffIntakeForm if staff else PatrolIntakeForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {}
        if staff:
            extra = {k: data[k] for k in ("reporter_name", "reporter_phone", "hotline_number", "hotline_unit")}
            extra["hotline_received_at"] = data["hotline_received_at"]
        try:
            lon, lat, crs = _point_of(data)
            case = services.case_register(
                actor=request.user,
                category=_category_or_error(data["category"]),
                description=data["description"],
                lon=lon,
                lat=lat,
                crs=crs,
                channel=data["channel"],
                address=data["address"],
                photos=data["photos"],
                **extra,
            )
        except CaseError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("已登记，案件编号 %(number)s。") % {"number": case.number})
            return redirect("cases:detail", number=case.number)
    context = {"form": form, "mode": "staff" if staff else "patrol", **_intake_context(communities)}
    return render(request, "cases/intake.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def report(request):
    """A resident's report: no account needed; a case number and a private tracking link come back."""
    form = ResidentIntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lon, lat, crs = _point_of(data)
            case = services.case_register(
                actor=request.user,
                category=_category_or_error(data["category"]),
                description=data["description"],
                lon=lon,
                lat=lat,
                crs=crs,
                channel=Channel.RESIDENT,
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=data["photos"],
            )
        except CaseError as exc:
            _add_error(form, exc)
        else:
            messages.success(
                request,
                _("已收到您的反映，案件编号 %(number)s。请收藏本页链接，以便查看进展和评价。")
                % {"number": case.number},
            )
            return redirect("track", token=case.tracking_token)
    communities = list(Community.objects.order_by("code"))
    context = {"form": form, "mode": "resident", **_intake_context(communities)}
    return render(request, "cases/intake.html", context, status=400 if form.errors else 200)


@require_GET
def nearby(request):
    """htmx partial: open cases of this category within 50 m — support one instead of filing again."""
    try:
        category = Category.objects.get(pk=int(request.GET["category"]))
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError, Category.DoesNotExist):
        return render(request, "cases/partials/nearby.html", {"cases": []})
    cases = selectors.nearby_open_cases(category, lon, lat)
    return render(request, "cases/partials/nearby.html", {"cases": cases[:5]})


# ---------------------------------------------------------------- lists


@login_required
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = case_search(request.user, filters, cursor=filters.get("after"))
    communities = list(policy.visible_communities(request.user).order_by("code"))
    community_ids = [c.pk for c in communities]
    context = {
        "form": form,
        "page": page,
        "communities": communities,
        "categories": Category.objects.filter(cases__community_id__in=community_ids).distinct().order_by("code"),
        "grids": [g for c in communities for g in c.grids.all()] if len(communities) < 20 else [],
        "organisations": Organisation.objects.filter(case_assignments__case__community_id__in=community_ids)
        .distinct()
        .order_by("name"),
        "now": timezone.now(),
        "query": request.GET.copy(),
    }
    if "after" in context["query"]:
        del context["query"]["after"]
    template = "cases/partials/list_rows.html" if request.htmx and request.GET.get("after") else "cases/list.html"
    return render(request, template, context)


@login_required
def tasks(request):
    """My tasks: what waits for me, by role (dispatch, accept, verify, close, my reports)."""
    j = policy.jurisdiction_of(request.user)
    visible = policy.scope(request.user, Case.objects.all()).select_related(
        "category", "community", "compound", "building"
    )
    buckets = []
    if j.everything or j.manage_community_ids:
        manage = visible if j.everything else visible.filter(community_id__in=j.manage_community_ids)
        buckets.append((_("待派遣"), manage.filter(status__in=[Status.REGISTERED, Status.RETURNED])))
        buckets.append((_("待结案"), manage.filter(status=Status.VERIFIED)))
        buckets.append((_("已超期"), manage.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())))
        buckets.append((_("待审批延期"), manage.filter(extensions__status=CaseExtension.Status.PENDING).distinct()))
    if j.organisation_ids:
        mine = visible.filter(assignments__organisation_id__in=j.organisation_ids).distinct()
        buckets.append((_("待接单"), mine.filter(status=Status.DISPATCHED)))
        buckets.append((_("处置中"), mine.filter(status__in=[Status.ACCEPTED, Status.IN_PROGRESS])))
    if "grid_worker" in j.roles:
        buckets.append(
            (_("待核查"), visible.filter(community_id__in=j.view_community_ids, status=Status.REPORTED_DONE))
        )
    if j.person_id:
        buckets.append(
            (
                _("我上报的"),
                visible.filter(Q(reporter_id=j.person_id) | Q(registered_by=request.user)).filter(
                    status__in=OPEN_STATUSES
                ),
            )
        )
    sections = [(title, list(qs.order_by("deadline")[:50])) for title, qs in buckets]
    return render(request, "cases/tasks.html", {"sections": sections, "now": timezone.now()})


# ---------------------------------------------------------------- the case page


def _step_forms(case: Case, actions: list[str]):
    v = {"expected_version": case.version}
    forms = {}
    for action in actions:
        if action in {"dispatch", "accept", "start", "close", "supervise"}:
            forms[action] = NoteForm(initial=v, prefix=action)
        elif action in {"void", "return", "reopen"}:
            forms[action] = ReasonForm(initial=v, prefix=action)
        elif action == "report_done":
            forms[action] = PhotoNoteForm(initial=v, prefix=action)
        elif action == "verify":
            forms[action] = VerifyForm(initial=v, prefix=action)
        elif action == "evaluate":
            forms[action] = EvaluateForm(initial=v, prefix=action)
        elif action == "extension_request":
            forms[action] = ExtensionRequestForm(initial=v, prefix=action)
        elif action == "merge":
            forms[action] = MergeForm(initial=v, prefix=action)
    return forms


def _render_case(
    request,
    case: Case,
    *,
    token: str | None = None,
    public: bool = False,
    status: int = 200,
    bound_forms: dict | None = None,
):
    actions = selectors.available_actions(request.user, case, token=token)
    forms = _step_forms(case, actions)
    forms.update(bound_forms or {})
    manager = policy.can(request.user, policy.CHANGE, case)
    pending = list(case.extensions.filter(status=CaseExtension.Status.PENDING)) if "extension_decide" in actions else []
    reroute = None
    if "reroute" in actions:
        choices = [
            (o.pk, f"{o.name}（{o.get_kind_display()}）")
            for o in Organisation.objects.filter(
                Q(community=case.community) | Q(subdistrict=case.community.subdistrict)
            ).order_by("kind", "name")
        ]
        reroute = RerouteForm(
            initial={"expected_version": case.version}, prefix="reroute", organisation_choices=choices
        )
    before, after = selectors.case_photo_pairs(case)
    context = {
        "case": case,
        "public": public,
        "token": token,
        "actions": actions,
        "forms": forms,
        "labels": services.ACTION_LABELS,
        "timeline": list(selectors.case_timeline(case)),
        "assignments": list(case.assignments.select_related("organisation")),
        "before_photos": before,
        "after_photos": after,
        "pending_extensions": [
            (
                e,
                ExtensionDecideForm(
                    initial={"expected_version": case.version, "extension": e.pk}, prefix="extension_decide"
                ),
            )
            for e in pending
        ],
        "reroute_form": reroute,
        "show_reporter": manager and not public,
        # Residents' names and phones are masked for everyone who does not manage the case; staff reporting
        # in their role (patrol, door-to-door) are not residents.
        "mask_reporter": not (manager and not public) and case.channel in MASKED_REPORTER_CHANNELS,
        "has_steps": bool(forms or pending or reroute),
        "meetings": [] if public else meetings_for_case(case),
        "resolutions": [] if public else resolutions_for_case(case),
        "can_convene": not public and case.needs_deliberation and case.is_open and manager,
        "following": selectors.is_following(request.user, case) if request.user.is_authenticated else False,
        "overdue": case.is_open and case.deadline < timezone.now(),
        "point": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"layer": "point", "name": case.number},
                    "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
                }
            ],
        },
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
def case_detail(request, number: str):
    return _render_case(request, _case_for(request, number))


def track(request, token: str):
    """The reporter's private page: progress, then rating (no login; the token is the key)."""
    case = (
        Case.objects.select_related("category", "community", "compound", "building")
        .filter(tracking_token=token)
        .first()
    )
    if case is None:
        raise Http404
    return _render_case(request, case, token=token, public=True)


STEP_FORMS = {
    "dispatch": NoteForm,
    "accept": NoteForm,
    "start": NoteForm,
    "close": NoteForm,
    "supervise": NoteForm,
    "void": ReasonForm,
    "return": ReasonForm,
    "reopen": ReasonForm,
    "report_done": PhotoNoteForm,
    "verify": VerifyForm,
    "evaluate": EvaluateForm,
    "extension_request": ExtensionRequestForm,
    "extension_decide": ExtensionDecideForm,
    "merge": MergeForm,
}


def _perform(request, case: Case, action: str, data: dict, token: str | None):
    version = data["expected_version"]
    common = {"actor": request.user, "case": case, "expected_version": version}
    note = data.get("note", "")
    if action == "dispatch":
        return services.case_dispatch(**common, note=note)
    if action == "void":
        return services.case_void(**common, reason=note)
    if action == "accept":
        return services.case_accept(**common, note=note)
    if action == "return":
        return services.case_return(**common, reason=note)
    if action == "start":
        return services.case_start(**common, note=note)
    if action == "report_done":
        return services.case_report_done(**common, note=note, photos=data.get("photos") or [])
    if action == "verify":
        return services.case_verify(**common, passed=data["passed"], note=note, photos=data.get("photos") or [])
    if action == "close":
        return services.case_close(**common, note=note)
    if action == "supervise":
        return services.case_supervise(**common, note=note)
    if action == "evaluate":
        return services.case_evaluate(**common, satisfaction=data["satisfaction"], comment=data["comment"], token=token)
    if action == "reopen":
        return services.case_reopen(**common, reason=note, token=token)
    if action == "extension_request":
        return services.case_extension_request(**common, requested_deadline=data["requested_deadline"], reason=note)
    if action == "extension_decide":
        extension = CaseExtension.objects.filter(pk=data["extension"], case=case).first()
        if extension is None:
            raise Http404
        return services.case_extension_decide(
            actor=request.user, extension=extension, expected_version=version, approve=data["approve"], note=note
        )
    if action == "merge":
        survivor = policy.get_for(request.user, Case.objects.all(), policy.VIEW, number=data["survivor"].strip())
        return services.case_merge(**common, survivor=survivor, reason=note)
    raise Http404


@require_POST
def case_act(request, number: str, action: str):
    token = request.POST.get("token") or None
    if token:
        case = Case.objects.filter(number=number, tracking_token=token).first()
        if case is None:
            raise Http404
    elif request.user.is_authenticated:
        case = _case_for(request, number)
    else:
        return redirect(f"{reverse('login')}?next={reverse('cases:detail', args=[number])}")
    back = reverse("track", args=[token]) if token else reverse("cases:detail", args=[number])
    if action == "reroute":
        return _reroute(request, case, back)
    form_class = STEP_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _render_case(request, case, token=token, public=bool(token), status=400, bound_forms={action: form})
    try:
        _perform(request, case, action, form.cleaned_data, token)
    except CaseError as exc:
        messages.error(request, exc.message)
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
            return _render_case(request, case, token=token, public=bool(token), status=400, bound_forms={action: form})
        return redirect(back)
    messages.success(request, _("已%(action)s。") % {"action": services.ACTION_LABELS.get(action, action)})
    return redirect(back)


def _reroute(request, case: Case, back: str):
    choices = [
        (str(o.pk), o.name)
        for o in Organisation.objects.filter(Q(community=case.community) | Q(subdistrict=case.community.subdistrict))
    ]
    form = RerouteForm(request.POST, prefix="reroute", organisation_choices=choices)
    if not form.is_valid():
        messages.error(request, _("请选择责任单位并填写调整理由。"))
        return redirect(back)
    organisations = list(Organisation.objects.filter(pk__in=form.cleaned_data["organisation"]))
    try:
        services.case_route_override(
            actor=request.user,
            case=case,
            expected_version=form.cleaned_data["expected_version"],
            organisations=organisations,
            reason=form.cleaned_data["note"],
        )
    except CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已调整责任单位。"))
    return redirect(back)


@login_required
@require_POST
def support(request, number: str):
    # A +1 reveals nothing about the case, so any signed-in person may add one to a case they were shown.
    case = Case.objects.filter(number=number).first()
    if case is None:
        raise Http404
    try:
        services.case_support(actor=request.user, case=case)
    except CaseError as exc:
        if request.htmx:
            return HttpResponseBadRequest(str(exc.message))
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已点赞，感谢您的关注。"))
    return redirect("cases:detail", number=number)


# ---------------------------------------------------------------- measures

MEASURE_GROUPS = {
    "community": (_lazy("社区"), "youlin.places.models.Community"),
    "grid": (_lazy("网格"), "youlin.places.models.Grid"),
    "organisation": (_lazy("责任单位"), "youlin.parties.models.Organisation"),
    "category_major": (_lazy("类别大类"), None),
}


@login_required
def measures(request):
    """The field's own measures for the user's jurisdiction: 立案数, 结案率, 按期结案率, 返工率 and 三率."""
    form = MeasuresForm(request.GET or None)
    today = timezone.localdate()
    start_day = today.replace(day=1)
    end_day = today
    group_by = "community"
    if form.is_valid():
        start_day = form.cleaned_data.get("start") or start_day
        end_day = form.cleaned_data.get("end") or end_day
        group_by = form.cleaned_data.get("group_by") or group_by
    if end_day < start_day:
        start_day, end_day = end_day, start_day
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, time.min, tzinfo=tz)
    end = datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=tz)
    visible = policy.scope(request.user, Case.objects.all())
    total = selectors.case_measures(start=start, end=end, cases=visible)
    grouped = selectors.case_measures(start=start, end=end, cases=visible, group_by=group_by)
    names = _group_names(group_by, [k for k in grouped if k is not None])
    rows = sorted(
        ((names.get(key, str(key) if key is not None else _("未指定")), m) for key, m in grouped.items()),
        key=lambda row: str(row[0]),
    )
    return render(
        request,
        "cases/measures.html",
        {
            "form": form,
            "total": total,
            "rows": rows,
            "start": start_day,
            "end": end_day,
            "group_by": group_by,
            "group_label": MEASURE_GROUPS[group_by][0],
            "groups": [(k, v[0]) for k, v in MEASURE_GROUPS.items()],
        },
    )


def _group_names(group_by: str, keys: list) -> dict:
    if group_by == "category_major":
        return dict(Category.objects.filter(major_code__in=keys).values_list("major_code", "major").distinct())
    from django.utils.module_loading import import_string

    model = import_string(MEASURE_GROUPS[group_by][1])
    return {pk: str(obj) for pk, obj in model.objects.in_bulk(keys).items()}


HOTSPOT_MIN_RECURRENCES = 3


@login_required
def hotspots(request):
    """Places where a problem came back three times or more (屡次反弹), in the user's jurisdiction."""
    visible = policy.scope(request.user, Case.objects.all())
    rows = selectors.recurrence_hotspots(cases=visible, min_count=HOTSPOT_MIN_RECURRENCES + 1)
    return render(request, "cases/hotspots.html", {"hotspots": rows, "min_recurrences": HOTSPOT_MIN_RECURRENCES})


@login_required
@require_POST
def follow(request, number: str):
    case = _case_for(request, number)
    try:
        if request.POST.get("unfollow"):
            services.case_unfollow(actor=request.user, case=case)
            messages.success(request, _("已取消关注。"))
        else:
            services.case_follow(actor=request.user, case=case)
            messages.success(request, _("已关注，进展会通知您。"))
    except CaseError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", number=number)
