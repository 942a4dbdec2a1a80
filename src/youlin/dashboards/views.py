"""Dashboards (ECharts), the map (Leaflet), public community pages and the bulletin."""

from __future__ import annotations

import io
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from youlin.access import policy
from youlin.cases.categories import localized
from youlin.core.replicas import replica_reads
from youlin.dashboards import rankings, selectors, services
from youlin.dashboards.models import Bulletin, BulletinSection
from youlin.domain import exports
from youlin.domain.pages import show_error
from youlin.places.models import Community


class FilterForm(forms.Form):
    area = forms.CharField(required=False)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


def _filters(request):
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    area = selectors.resolve_area(request.user, data.get("area"))
    if area is None:
        raise Http404
    period = selectors.default_period()
    start, end = data.get("start") or period.start_day, data.get("end") or period.end_day
    if end < start:
        start, end = end, start
    return area, selectors.Period(start, end), data.get("area") or ""


@replica_reads
@login_required
def dashboard(request):
    area, period, area_value = _filters(request)
    board = selectors.dashboard(request.user, area, period)
    charts = {
        "months": board.months,
        "registered": board.registered_by_month,
        "closed": board.closed_by_month,
        "categories": [{"name": n, "value": v} for n, v in board.by_category],
        "statuses": [{"name": label, "value": n} for _s, label, n in board.by_status],
        "trend": board.trend,
        "labels": {
            "registered": _("立案数"),
            "closed": _("结案数"),
            "closure": _("结案率"),
            "on_time": _("按期结案率"),
            "satisfaction": _("满意率"),
            "rework": _("返工率"),
        },
    }
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "board": board,
            "area": area,
            "period": period,
            "areas": selectors.areas_for(request.user),
            "area_value": area_value,
            "charts": charts,
            "query": request.GET.urlencode(),
            "own_rank": rankings.own_rank(request.user, rankings.Month.of(timezone.localdate())),
        },
    )


EXPORT_TABLES = {
    "parties": gettext_lazy("责任单位排名"),
    "categories": gettext_lazy("类别统计"),
    "months": gettext_lazy("月度统计"),
    "overdue": gettext_lazy("超期案件"),
}


def _rate(value):
    return None if value is None else round(value, 4)


RATE_FORMAT = "0.0%"  # a rate is stored as the fraction and shown as a percentage, as on the page


def _format_rates(ws, columns: tuple[int, ...]) -> None:
    """Show the rate cells of the row just appended as percentages (85.7%), keeping the number."""
    for column in columns:
        ws.cell(row=ws.max_row, column=column).number_format = RATE_FORMAT


@login_required
def export(request, table: str):
    """A dashboard table as .xlsx (the numbers as the page shows them)."""
    if table not in EXPORT_TABLES:
        raise Http404
    area, period, _area_value = _filters(request)
    board = selectors.dashboard(request.user, area, period)
    wb = exports.workbook()
    ws = wb.active
    ws.title = str(EXPORT_TABLES[table])[:31]
    exports.append(ws, [f"{area.name} {period.start_day:%Y-%m-%d}—{period.end_day:%Y-%m-%d}"])
    if table == "parties":
        exports.append(ws, [_("责任单位"), _("应结案数"), _("结案数"), _("按期结案率"), _("满意率"), _("综合得分")])
        for org, m in board.parties:
            exports.append(
                ws,
                [
                    org.name,
                    m.due_count,
                    m.closed_count,
                    _rate(m.on_time_rate),
                    _rate(m.satisfaction_rate),
                    None if m.score is None else round(m.score, 2),
                ],
            )
            _format_rates(ws, (4, 5))
    elif table == "categories":
        exports.append(ws, [_("类别"), _("立案数")])
        for name, n in board.by_category:
            exports.append(ws, [name, n])
    elif table == "months":
        exports.append(ws, [_("月份"), _("立案数"), _("结案数")])
        for month, reg, closed in zip(board.months, board.registered_by_month, board.closed_by_month, strict=True):
            exports.append(ws, [month, reg, closed])
    else:
        exports.append(ws, [_("案件编号"), _("类别"), _("社区"), _("处置期限")])
        for c in board.overdue:
            exports.append(
                ws,
                [
                    c.number,
                    c.category.label,
                    c.community.name,
                    timezone.localtime(c.deadline).strftime("%Y-%m-%d %H:%M"),
                ],
            )
    return exports.download(exports.workbook_bytes(wb), f"youlin-{table}.xlsx")


def _ranking_request(request):
    groups = rankings.peer_groups(request.user)
    if not groups:
        raise Http404
    chosen = next((g for g in groups if g.key == request.GET.get("group")), groups[0])
    this_month = rankings.Month.of(timezone.localdate())
    month = rankings.Month.parse(request.GET.get("month"), this_month)
    return groups, chosen, month, this_month


@replica_reads
@login_required
def ranking(request):
    """考核排名: one peer group's units for one month by the composite score, with the change from the month
    before."""
    groups, chosen, month, this_month = _ranking_request(request)
    rows = rankings.ranking(chosen, month)
    return render(
        request,
        "dashboards/ranking.html",
        {
            "groups": groups,
            "group": chosen,
            "month": month,
            "months": _recent_months(this_month),
            "rows": rows,
            "level_label": rankings.LEVELS[chosen.level],
        },
    )


def _recent_months(this_month, count: int = 12) -> list:
    months, m = [], this_month
    for _i in range(count):
        months.append(m)
        m = m.previous
    return months


@login_required
def ranking_export(request):
    """The ranking as .xlsx, the figures as the page shows them."""
    _groups, chosen, month, _this_month = _ranking_request(request)
    wb = exports.workbook()
    ws = wb.active
    ws.title = str(month)
    exports.append(ws, [f"{chosen.label} {month}"])
    exports.append(
        ws,
        [
            _("排名"),
            str(rankings.LEVELS[chosen.level]),
            _("综合得分"),
            _("响应率"),
            _("解决率"),
            _("满意率"),
            _("按期结案率"),
            _("立案数"),
            _("结案数"),
            _("回访数"),
            _("未回访"),
            _("上月排名"),
            _("得分变化"),
        ],
    )
    for row in rankings.ranking(chosen, month):
        m = row.measures
        exports.append(
            ws,
            [
                row.rank,
                row.name,
                None if m.score is None else round(m.score, 2),
                _rate(m.response_rate),
                _rate(m.resolution_rate),
                _rate(m.satisfaction_rate),
                _rate(m.on_time_rate),
                m.registered_count,
                m.closed_count,
                m.visit_count,
                m.unvisited_count,
                row.previous_rank,
                None if row.score_change is None else round(row.score_change, 2),
            ],
        )
        _format_rates(ws, (4, 5, 6, 7))
    return exports.download(exports.workbook_bytes(wb), f"youlin-ranking-{month}.xlsx")


@login_required
def map_page(request):
    area, period, area_value = _filters(request)
    from django.conf import settings

    return render(
        request,
        "dashboards/map.html",
        {
            "area": area,
            "period": period,
            "areas": selectors.areas_for(request.user),
            "area_value": area_value,
            "query": request.GET.urlencode(),
            "tile_url": getattr(settings, "YOULIN_MAP_TILE_URL", ""),
            "tile_gcj02": getattr(settings, "YOULIN_MAP_TILE_GCJ02", False),
        },
    )


@replica_reads
@login_required
def map_geojson(request):
    area, period, _area_value = _filters(request)
    return JsonResponse(selectors.map_features(request.user, area, period))


# ---------------------------------------------------------------- public pages


@replica_reads
def community_public(request, slug: str):
    community = Community.objects.select_related("subdistrict").filter(slug=slug).first()
    if community is None:
        raise Http404
    extra = {}
    for path, name in (
        ("youlin.projects.selectors", "public_projects"),
        ("youlin.deliberation.selectors", "public_notices"),
        ("youlin.volunteers.selectors", "open_activities"),
    ):
        try:
            from importlib import import_module

            func = getattr(import_module(path), name, None)
        except ImportError:
            func = None
        extra[name] = list(func(community)) if func else []
    projects = extra["public_projects"]
    extra["projects_under_way"] = [p for p in projects if not getattr(p, "completed", False)]
    extra["projects_completed"] = [p for p in projects if getattr(p, "completed", False)]
    return render(
        request,
        "dashboards/community_public.html",
        {
            "community": community,
            "fixed": selectors.recently_fixed(community),
            "counts": selectors.public_counts(community),
            "bulletins": Bulletin.objects.filter(communities=community, status=Bulletin.Status.PUBLISHED)[:5],
            **extra,
        },
    )


def _published(pk: int) -> Bulletin:
    bulletin = Bulletin.objects.filter(pk=pk, status=Bulletin.Status.PUBLISHED).first()
    if bulletin is None:
        raise Http404
    return bulletin


@replica_reads
def bulletin_public(request, pk: int):
    return _render_bulletin(request, _published(pk), public=True)


def bulletin_print(request, pk: int):
    """The bulletin on one A4 sheet for the notice board, with the QR code of its public page."""
    return _render_bulletin(request, _published(pk), public=True, template="dashboards/bulletin_print.html")


def public_link(request, bulletin: Bulletin) -> str:
    """The absolute address of the published bulletin, to share or print (empty for a draft)."""
    if bulletin.status != Bulletin.Status.PUBLISHED:
        return ""
    return request.build_absolute_uri(reverse("bulletin-public", args=[bulletin.pk]))


def bulletin_qr(request, pk: int):
    """The QR code of the bulletin's public link as SVG, made here (segno): no script, no outside service."""
    import segno

    bulletin = _published(pk)
    out = io.BytesIO()
    segno.make(public_link(request, bulletin), error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, title=bulletin.title
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _render_bulletin(request, bulletin: Bulletin, *, public: bool, template: str = "dashboards/bulletin.html"):
    from youlin.cases.models import Case, CasePhoto

    sections = list(bulletin.sections.select_related("community"))
    numbers = [n for s in sections for n in s.highlights]
    photos: dict[str, dict[str, list]] = {}
    for p in CasePhoto.objects.filter(case__number__in=numbers).select_related("photo", "case").order_by("pk"):
        photos.setdefault(p.case.number, {"before": [], "after": []})[p.kind].append(p.photo)
    categories = {
        number: localized(name, name_en)
        for number, name, name_en in Case.objects.filter(number__in=numbers).values_list(
            "number", "category__name", "category__name_en"
        )
    }
    for s in sections:
        s.pairs = [
            {"number": n, "category": categories.get(n, ""), **photos.get(n, {"before": [], "after": []})}
            for n in s.highlights
        ]
        s.paragraphs = [line for line in s.body.splitlines() if line.strip()]
    editable: set[int] = set()
    if not public and bulletin.status == Bulletin.Status.DRAFT:
        # The page offers what the services accept: a section to its community's staff, publishing to whoever
        # manages every community of the bulletin.
        scoped = policy.scope(request.user, bulletin.sections.all(), policy.CHANGE)
        editable = set(scoped.values_list("pk", flat=True))
    for s in sections:
        s.editable = s.pk in editable
    context = {
        "bulletin": bulletin,
        "sections": sections,
        "can_publish": bool(editable) and policy.can(request.user, policy.CHANGE, bulletin),
        "public": public,
        "public_link": public_link(request, bulletin),
    }
    return render(request, template, context)


# ---------------------------------------------------------------- bulletin editing


class DraftForm(forms.Form):
    title = forms.CharField(max_length=120, error_messages={"required": gettext_lazy("请填写简报标题。")})
    start = forms.DateField()
    end = forms.DateField()
    communities = forms.ModelMultipleChoiceField(
        queryset=Community.objects.none(), error_messages={"required": gettext_lazy("请至少选择一个社区。")}
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = policy.scope(user, Community.objects.all(), policy.CHANGE)


@login_required
def bulletin_list(request):
    if not policy.jurisdiction_of(request.user).is_staff_level:
        raise Http404
    bulletins = policy.scope(request.user, Bulletin.objects.all()).prefetch_related("communities")[:50]
    today = timezone.localdate()
    form = DraftForm(
        request.POST or None,
        user=request.user,
        initial={"start": date(today.year, 1, 1), "end": today, "title": _("走社区·看新貌")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            bulletin = services.bulletin_draft(
                actor=request.user,
                title=d["title"],
                start_day=d["start"],
                end_day=d["end"],
                communities=d["communities"],
            )
        except services.BulletinError as exc:
            show_error(request, exc, form)
        else:
            return redirect("dashboards:bulletin", pk=bulletin.pk)
    return render(
        request,
        "dashboards/bulletin_list.html",
        {"bulletins": bulletins, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def bulletin_detail(request, pk: int):
    bulletin = policy.get_for(request.user, Bulletin.objects.all(), policy.VIEW, pk=pk)
    return _render_bulletin(request, bulletin, public=False)


@login_required
@require_POST
def bulletin_section_edit(request, pk: int, section_id: int):
    bulletin = policy.get_for(request.user, Bulletin.objects.all(), policy.VIEW, pk=pk)
    section = BulletinSection.objects.filter(pk=section_id, bulletin=bulletin).first()
    if section is None:
        raise Http404
    try:
        services.bulletin_section_update(
            actor=request.user,
            section=section,
            heading=request.POST.get("heading", ""),
            body=request.POST.get("body", ""),
            expected_version=int(request.POST.get("expected_version", 0)),
        )
    except (services.BulletinError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("请求无效，请刷新页面后重试。")))
    else:
        messages.success(request, _("已保存。"))
    return redirect("dashboards:bulletin", pk=pk)


@login_required
@require_POST
def bulletin_publish(request, pk: int):
    bulletin = policy.get_for(request.user, Bulletin.objects.all(), policy.VIEW, pk=pk)
    try:
        services.bulletin_publish(
            actor=request.user, bulletin=bulletin, expected_version=int(request.POST.get("expected_version", 0))
        )
    except (services.BulletinError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("请求无效，请刷新页面后重试。")))
        return redirect("dashboards:bulletin", pk=pk)
    messages.success(request, _("已发布。请分享下方的公开链接，或打印带二维码的 A4 版张贴到公告栏。"))
    return redirect("dashboards:bulletin", pk=pk)
