"""The 12345 page under the case list (staff only): upload the day's work orders (派单), a sample file, the
job's progress and result, recent imports, the triage queue, and the replies (回复) to send back as .xlsx."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from youlin.access import policy
from youlin.cases.forms import HotlineRepliesForm, HotlineUploadForm
from youlin.cases.imports import DISPATCH_COLUMNS, TABLE
from youlin.cases.imports.jobs import KIND, hotline_import_start
from youlin.cases.imports.replies import hotline_replies_export
from youlin.domain import exports
from youlin.domain.errors import DomainError
from youlin.domain.pages import show_error
from youlin.jobs.selectors import recent_jobs
from youlin.places.models import Community

SAMPLE = [
    (
        "GD20261102000123",
        "2026-11-02 09:15",
        "王**",
        "138****1234",
        "手帕口南街36号院甲楼2单元",
        "楼道内堆放旧家具、纸箱，影响通行，存在消防隐患。",
        "城乡建设-市容环卫-楼道堆物",
        "广外街道",
        "5个工作日",
    ),
]


def _managed_communities(request) -> list[Community]:
    if not policy.jurisdiction_of(request.user).is_staff_level:
        raise Http404
    return list(policy.scope(request.user, Community.objects.order_by("code"), policy.CHANGE))


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request):
    communities = _managed_communities(request)
    form = HotlineUploadForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = hotline_import_start(
                actor=request.user,
                community=form.cleaned_data["community"] or None,
                filename=upload.name,
                content=upload.read(),
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            return redirect("jobs:status", pk=job.pk)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - date.resolution).strftime("%Y-%m")
    context = {
        "form": form,
        "replies_form": HotlineRepliesForm(initial={"month": last_month}, communities=communities),
        "communities": communities,
        "recent": recent_jobs(request.user, KIND),
        "columns": [TABLE.column(k).name for k in DISPATCH_COLUMNS],
    }
    return render(request, "cases/hotline.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def hotline_sample(request):
    _managed_communities(request)
    wb = exports.workbook()
    ws = wb.active
    exports.append(ws, [TABLE.column(k).name for k in DISPATCH_COLUMNS])
    for row in SAMPLE:
        exports.append(ws, row)
    return exports.download(exports.workbook_bytes(wb), "12345-sample.xlsx")


@login_required
@require_GET
def hotline_replies(request):
    communities = _managed_communities(request)
    form = HotlineRepliesForm(request.GET, communities=communities)
    if not form.is_valid():
        return render(
            request,
            "cases/hotline.html",
            {
                "form": HotlineUploadForm(communities=communities),
                "replies_form": form,
                "communities": communities,
                "recent": recent_jobs(request.user, KIND),
                "columns": [TABLE.column(k).name for k in DISPATCH_COLUMNS],
            },
            status=400,
        )
    data = form.cleaned_data
    month = date.fromisoformat(data["month"] + "-01")
    community = next((c for c in communities if c.slug == data["community"]), None)
    content = hotline_replies_export(request.user, month=month, unit=data["unit"].strip(), community=community)
    return exports.download(content, f"12345-replies-{data['month']}.xlsx")
