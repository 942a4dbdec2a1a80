"""Case pages: intake (grid worker, resident), the list, the case page with its steps, tracking, tasks.

Views parse input, call a service or selector, and render. Every read goes through the access policy; every
write is a service call that raises CaseError with a message for the person in front of the screen.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from youlin.access import policy
from youlin.cases import panels, routing_cache, selectors, services, steps, updates
from youlin.cases.categories import localized
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.forms import (
    CaseFilterForm,
    MeasuresForm,
    PatrolIntakeForm,
    ResidentIntakeForm,
    StaffIntakeForm,
)
from youlin.cases.listing import case_search
from youlin.cases.models import MASKED_REPORTER_CHANNELS, Case, Category, Channel, SupervisionLevel
from youlin.cases.permissions import Standing
from youlin.cases.update_views import UpdateForm
from youlin.domain.pages import show_error
from youlin.parties.selectors import home_community_id
from youlin.photos.services import PhotoError, photo_prepare
from youlin.places.models import Community
from youlin.places.selectors import community_geojson, community_structure

# ---------------------------------------------------------------- helpers


def _point_of(form_data) -> tuple[float, float, str]:
    """The case's point: coordinates from the phone or the map, else the chosen building's centre, else the
    GPS position the first photo recorded (read before its EXIF is stripped)."""
    if form_data.get("lon") is not None and form_data.get("lat") is not None:
        return form_data["lon"], form_data["lat"], form_data.get("crs") or "wgs84"
    if form_data.get("building") is not None:
        point = selectors.building_point(form_data["building"])
        if point is None:
            raise CaseError("invalid_input", _("所选楼栋不存在，请重新选择。"), field="building")
        return point[0], point[1], "wgs84"
    for upload in form_data.get("photos") or []:
        try:
            gps = photo_prepare(upload).gps
        except PhotoError as exc:
            raise CaseError("invalid_input", exc.message, field="photos") from None
        if gps:
            return gps[0], gps[1], "wgs84"
    raise CaseError("invalid_input", _("照片中没有位置信息。请使用当前定位、在地图上点选，或选择楼栋。"))


def _category_or_error(pk) -> Category:
    category = selectors.active_category(pk)
    if category is None:
        raise CaseError("invalid_input", _("请选择有效的问题类别。"), field="category")
    return category


def _register(request, data: dict, *, channel: str, **extra) -> Case:
    """Register a case from an intake form's cleaned data (the patrol, staff and resident forms)."""
    with routing_cache.held():  # one routing revision read for the category and the registration
        lon, lat, crs = _point_of(data)
        return services.case_register(
            actor=request.user,
            category=_category_or_error(data["category"]),
            description=data["description"],
            lon=lon,
            lat=lat,
            crs=crs,
            channel=channel,
            address=data["address"],
            photos=data["photos"],
            **extra,
        )


def _intake_context(communities, *, home_id: int | None = None):
    """The intake map's outlines and the building choices. The map opens on ``home_id``'s community (the
    resident's own) when it is one of them, otherwise on all of them."""
    features = []
    buildings = []
    for community in communities:
        full = community_structure(community)
        outlines = community_geojson(full)["features"]
        if community.pk == home_id:
            for feature in outlines:
                if feature["properties"]["layer"] == "community":
                    feature["properties"]["home"] = True
        features.extend(outlines)
        for compound in full.compounds.all():
            buildings.extend((b.pk, f"{compound.name}{b.name}") for b in compound.buildings.all())
    return {
        "categories": selectors.category_groups(),
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
            case = _register(request, data, channel=data["channel"], **extra)
        except CaseError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("已登记，案件编号 %(number)s。") % {"number": case.number})
            return redirect("cases:detail", number=case.number)
    context = {"form": form, "mode": "staff" if staff else "patrol", **_intake_context(communities)}
    return render(request, "cases/intake.html", context, status=400 if form.errors else 200)


def _confirm(request, text: str) -> None:
    """The resident's confirmation, shown once on the tracking page the report redirects to. A browser follows
    the redirect at once and shows it; a client that does not (a script filing reports one after another) would
    pile every unread confirmation into the messages cookie and, once that is full, into a session row read and
    rewritten on each report. So an earlier unread confirmation (a success notice) gives way to this one; other
    unread messages are kept."""
    storage = messages.get_messages(request)
    earlier = list(storage)  # read: marked as used, so only what is added again below is stored
    for message in earlier:
        if message.level != messages.SUCCESS:
            storage.add(message.level, message.message, message.extra_tags)
    messages.success(request, text)


@require_http_methods(["GET", "POST"])
def report(request):
    """A resident's report: no account needed; a case number and a private tracking link come back."""
    form = ResidentIntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = _register(
                request,
                data,
                channel=Channel.RESIDENT,
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
            )
        except CaseError as exc:
            show_error(request, exc, form)
        else:
            _confirm(
                request,
                _("已收到您的反映，案件编号 %(number)s。请收藏本页链接，以便查看进展和评价。")
                % {"number": case.number},
            )
            return redirect("track", token=case.tracking_token)
    communities = list(Community.objects.order_by("code"))
    home_id = home_community_id(request.user)
    context = {"form": form, "mode": "resident", **_intake_context(communities, home_id=home_id)}
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
    context = {
        "form": form,
        "page": page,
        **selectors.case_list_choices(request.user),
        "hotline": policy.jurisdiction_of(request.user).is_staff_level,
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
    return render(
        request, "cases/tasks.html", {"sections": selectors.task_sections(request.user), "now": timezone.now()}
    )


# ---------------------------------------------------------------- the case page


def _render_case(
    request,
    case: Case,
    *,
    token: str | None = None,
    public: bool = False,
    status: int = 200,
    bound: tuple[str, object] | None = None,
):
    """The case page: facts, photos, the steps this user may take (forms from ``steps.STEPS``), the panels
    other apps contribute, and the timeline. ``bound`` is a step's form that came back with errors."""
    actions = selectors.available_actions(request.user, case, token=token)
    step_forms = []
    for action in actions:
        step = steps.get(action)
        if step.form is None or step.perform is None:
            continue  # support has its own button; verify_fail is the verify form
        if bound is not None and bound[0] == action:
            step_forms.append((step, bound[1]))
        else:
            step_forms.extend((step, form) for form in step.forms_for(case))
    manager = policy.can(request.user, policy.CHANGE, case)
    before, after = selectors.case_photo_pairs(case)
    standing = Standing(request.user, case, token=token)
    # Who is not staff of the case (its reporter signed in, a resident following it) reads its public side.
    public = public or not standing.works_on_case
    context = {
        "case": case,
        "public": public,
        "token": token,
        "actions": actions,
        "step_forms": step_forms,
        "timeline": list(selectors.case_timeline(case)),
        "assignments": selectors.case_assignments(case),
        "before_photos": before,
        "after_photos": after,
        "show_reporter": manager and not public,
        # Residents' names and phones are masked for everyone who does not manage the case; staff reporting
        # in their role (patrol, door-to-door) are not residents.
        "mask_reporter": not (manager and not public) and case.channel in MASKED_REPORTER_CHANNELS,
        "panels": panels.for_case(request, case, manager=manager and not public, public=public),
        "following": selectors.is_following(request.user, case) if request.user.is_authenticated else False,
        "updates": updates.thread(case, standing=standing, public=public),
        "may_add_update": updates.may_add(standing),
        "may_keep_internal": not public,
        "update_form": UpdateForm(),
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
    case = selectors.case_by_token(token)
    if case is None:
        raise Http404
    _remember_tracked(request, case)
    return _render_case(request, case, token=token, public=True)


def _remember_tracked(request, case) -> None:
    """The link's holder may fetch the case's photos (``rules.TRACKED_SESSION_KEY``), not only read the page."""
    from youlin.cases.rules import TRACKED_SESSION_KEY

    tracked = list(request.session.get(TRACKED_SESSION_KEY, []))
    if case.pk not in tracked:
        request.session[TRACKED_SESSION_KEY] = [*tracked[-49:], case.pk]


@require_POST
def case_act(request, number: str, action: str):
    """Take one step (``steps.STEPS[action]``) from its form on the case page or the tracking page."""
    step = steps.get(action)
    if step is None or step.form is None or step.perform is None:
        raise Http404
    token = request.POST.get("token") or None
    if token:
        case = selectors.case_by_token(token, number=number)
        if case is None:
            raise Http404
    elif request.user.is_authenticated:
        case = _case_for(request, number)
    else:
        return redirect(f"{reverse('login')}?next={reverse('cases:detail', args=[number])}")
    back = reverse("track", args=[token]) if token else reverse("cases:detail", args=[number])
    form = step.bind(case, request.POST, request.FILES)
    if not form.is_valid():
        return _render_case(request, case, token=token, public=bool(token), status=400, bound=(action, form))
    try:
        step.perform(steps.StepCall(actor=request.user, case=case, data=form.cleaned_data, token=token))
    except CaseError as exc:
        if exc.code == CaseErrorCode.NOT_FOUND:
            raise Http404 from None
        messages.error(request, exc.message)
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
            return _render_case(request, case, token=token, public=bool(token), status=400, bound=(action, form))
        return redirect(back)
    messages.success(request, _("已%(action)s。") % {"action": step.label})
    return redirect(back)


@login_required
@require_POST
def support(request, number: str):
    # Any signed-in person may +1 a case they were shown (a nearby duplicate may be another community's); a number
    # they may not open is answered as a missing one (``case_support_by_number``): numbers are sequential.
    try:
        case = services.case_support_by_number(actor=request.user, number=number)
    except CaseError as exc:
        if request.htmx:
            return HttpResponseBadRequest(str(exc.message))
        messages.error(request, exc.message)
        return redirect("cases:detail", number=number)
    if case is None:
        messages.success(request, _("感谢您的关注。如这个诉求仍在办理，您的点赞已记录。"))
        return redirect("report")
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
        return {
            code: localized(major, major_en)
            for code, major, major_en in Category.objects.filter(major_code__in=keys)
            .values_list("major_code", "major", "major_en")
            .distinct()
        }
    from django.utils.module_loading import import_string

    model = import_string(MEASURE_GROUPS[group_by][1])
    return {pk: str(obj) for pk, obj in model.objects.in_bulk(keys).items()}


@login_required
def supervision(request):
    """督办: what is escalated at each level (到期提醒, 社区, 街道, 区级挂牌), oldest deadline first, with the working
    days overdue."""
    counts = selectors.supervision_counts(request.user)
    try:
        level = int(request.GET.get("level", ""))
    except ValueError:
        level = None
    if level not in SupervisionLevel.values or level == SupervisionLevel.NONE:
        # The highest level with something in it, else the community's.
        level = max(counts, default=SupervisionLevel.COMMUNITY)
    context = {
        "levels": [(lv, label, counts.get(lv, 0)) for lv, label in SupervisionLevel.choices if lv],
        "level": level,
        "level_label": SupervisionLevel(level).label,
        "rows": selectors.supervised_cases(request.user, level),
    }
    return render(request, "cases/supervision.html", context)


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
        show_error(request, exc)
    return redirect("cases:detail", number=number)
