"""Ledger pages: campaigns with progress, ledgers and their entries (filters, keyset pagination, Excel export and
import with the per-row report), door-to-door visits, frontage duties, zone coverage and logs.

Views parse input, call a service or selector, and render. Reads go through the access policy (foreign rows are
404); writes are services raising ``LedgerError`` with a message for the person in front of the screen.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from youlin.access import policy
from youlin.domain import exports
from youlin.domain.errors import DomainError
from youlin.domain.pages import show_error
from youlin.jobs.selectors import job_for
from youlin.jobs.views import job_context
from youlin.ledgers import selectors, services
from youlin.ledgers.errors import LedgerError
from youlin.ledgers.excel import TABLE, ledger_export, template_bytes
from youlin.ledgers.forms import (
    CampaignForm,
    EntryFilterForm,
    EntryForm,
    FindingCaseForm,
    FindingEntryForm,
    InspectForm,
    StepForm,
    UploadForm,
    VisitForm,
    ZoneLogForm,
)
from youlin.ledgers.imports import ledger_import_start
from youlin.ledgers.models import FrontageDuty, Ledger, LedgerEntry, PhotoKind, Visit, VisitFinding


def _communities(request):
    return list(policy.visible_communities(request.user).select_related("subdistrict").order_by("code"))


def _ledger_for(request, pk: int, action: str = policy.VIEW) -> Ledger:
    return policy.get_for(request.user, Ledger.objects.select_related("community__subdistrict"), action, pk=pk)


# ---------------------------------------------------------------- overview and campaigns


@login_required
@require_GET
def index(request):
    if not selectors.ledgers_open(request.user):
        raise Http404
    ledgers = selectors.visible_ledgers(request.user)
    progress = selectors.campaign_progress(list(selectors.visible_campaigns(request.user)))
    return render(request, "ledgers/index.html", {"ledgers": ledgers, "progress": progress})


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request):
    communities = _communities(request)
    if not communities:
        raise Http404
    managed = [c for c in communities if services.manages(request.user, c)]
    form = CampaignForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        if not managed:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            community = next((c for c in managed if c.pk == data.get("community")), managed[0])
            try:
                services.campaign_create(
                    actor=request.user,
                    community=community,
                    title=data["title"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    target_count=data["target_count"],
                    description=data["description"],
                )
            except LedgerError as exc:
                show_error(request, exc, form)
            else:
                messages.success(request, _("已设立工作重点“%(title)s”。") % {"title": data["title"]})
                return redirect("ledgers:campaigns")
    progress = selectors.campaign_progress(list(selectors.visible_campaigns(request.user)))
    status = 400 if form.errors else 200
    return render(
        request, "ledgers/campaigns.html", {"progress": progress, "form": form, "managed": managed}, status=status
    )


# ---------------------------------------------------------------- a ledger and its entries


@login_required
@require_GET
def ledger_detail(request, pk: int):
    ledger = _ledger_for(request, pk)
    form = EntryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.entry_search(request.user, ledger, filters, cursor=filters.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "ledger": ledger,
        "page": page,
        "form": form,
        "query": query,
        "today": timezone.localdate(),
        "can_change": services.manages(request.user, ledger.community_id),
    }
    if request.htmx and filters.get("after"):
        return render(request, "ledgers/partials/entry_rows.html", context)
    context.update(
        {
            "counters": selectors.ledger_counters(ledger),
            "campaigns": selectors.community_campaigns(ledger.community_id),
            "compounds": selectors.ledger_compounds(ledger),
        }
    )
    return render(request, "ledgers/ledger.html", context)


@login_required
@require_GET
def export(request, pk: int):
    ledger = _ledger_for(request, pk)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if request.GET.get("template"):
        return exports.download(template_bytes(ledger), f"{ledger.community.name}{ledger.name}模板.xlsx")
    form = EntryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    filters.pop("after", None)
    rows = selectors.entry_export_rows(request.user, ledger, filters)
    content = ledger_export(ledger=ledger, entries=rows, base_url=request.build_absolute_uri("/").rstrip("/"))
    return exports.download(content, f"{ledger.community.name}{ledger.name}{stamp}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request, pk: int):
    ledger = _ledger_for(request, pk, policy.CHANGE)
    form = EntryForm(request.POST or None, request.FILES or None)
    choices = selectors.entry_choices(ledger)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.ledger_entry_create(
                actor=request.user,
                ledger=ledger,
                location_text=data["location_text"],
                description=data["description"],
                category=selectors.active_category(data["category"]),
                root_cause=data["root_cause"],
                measure_class=data["measure_class"],
                measure=data["measure"],
                responsible_party=next((o for o in choices.parties if o.pk == data["responsible_party"]), None),
                deadline=data["deadline"],
                campaign=choices.campaigns.filter(pk=data["campaign"]).first() if data["campaign"] else None,
                photos=data["photos"],
            )
        except LedgerError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("已登记第 %(seq)d 条。") % {"seq": entry.seq})
            return redirect("ledgers:entry", pk=entry.pk)
    status = 400 if form.errors else 200
    context = {"ledger": ledger, "form": form, **choices.as_context()}
    return render(request, "ledgers/entry_form.html", context, status=status)


def _entry_for(request, pk: int, action: str = policy.VIEW) -> LedgerEntry:
    return policy.get_for(
        request.user,
        LedgerEntry.objects.select_related(
            "ledger__community", "compound", "building", "category", "responsible_party", "campaign", "case"
        ),
        action,
        pk=pk,
    )


def _actions(entry: LedgerEntry) -> list[tuple[str, str]]:
    return [
        (name, str(services.ENTRY_ACTION_LABELS[name]))
        for name, (sources, _target) in services.ENTRY_TRANSITIONS.items()
        if entry.status in sources
    ]


@login_required
@require_GET
def entry_detail(request, pk: int):
    entry = _entry_for(request, pk)
    photos = list(entry.photos.select_related("photo"))
    can_change = services.manages(request.user, entry.community_id)
    return render(
        request,
        "ledgers/entry.html",
        {
            "entry": entry,
            "before_photos": [p for p in photos if p.kind == PhotoKind.BEFORE],
            "after_photos": [p for p in photos if p.kind == PhotoKind.AFTER],
            "actions": _actions(entry) if can_change else [],
            "can_change": can_change,
            "form": StepForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def entry_act(request, pk: int, action: str):
    entry = _entry_for(request, pk, policy.CHANGE)
    if action not in services.ENTRY_TRANSITIONS and action != "photos":
        raise Http404
    form = StepForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "photos":
                kind = request.POST.get("kind", PhotoKind.BEFORE)
                services.ledger_entry_photo_add(actor=request.user, entry=entry, kind=kind, photos=data["photos"])
            else:
                services.ledger_entry_transition(
                    actor=request.user,
                    entry=entry,
                    action=action,
                    result=data["result"],
                    done_on=data["done_on"],
                    photos=data["photos"],
                )
        except LedgerError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("已保存。"))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("ledgers:entry", pk=entry.pk)


# ---------------------------------------------------------------- import


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, pk: int):
    ledger = _ledger_for(request, pk, policy.CHANGE)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            limit = TABLE.max_bytes()  # read no more than one byte past the cap: the service refuses the rest
            content = upload.read(limit + 1 if limit else -1)
            job = ledger_import_start(actor=request.user, ledger=ledger, filename=upload.name, content=content)
        except LedgerError as exc:
            show_error(request, exc, form)
        else:
            return redirect("ledgers:import_status", pk=job.pk)
    recent = selectors.recent_imports(request.user, ledger)
    context = {"ledger": ledger, "form": form, "recent": recent, "columns": [c.name for c in TABLE.columns]}
    return render(request, "ledgers/import.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_status(request, pk: int):
    job = job_for(request.user, pk)
    if job.kind != "ledger_import":
        raise Http404
    ledger = _ledger_for(request, job.params["ledger"], policy.CHANGE)
    template = "jobs/partials/job.html" if request.htmx else "ledgers/import_status.html"
    return render(request, template, {**job_context(job), "ledger": ledger})


# ---------------------------------------------------------------- door-to-door visits


@login_required
@require_http_methods(["GET", "POST"])
def visits(request):
    communities = _communities(request)
    if not communities:
        raise Http404
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    buildings = selectors.visit_buildings(communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        building = next((b for b in buildings if b.pk == data["building"]), None)
        entrance = next((e for e in building.entrances.all() if e.pk == data["entrance"]), None) if building else None
        try:
            if building is None:
                raise services.invalid(_("请选择楼栋。"), field="building")
            visit = services.visit_record(
                actor=request.user,
                building=building,
                entrance=entrance,
                visited_on=data["visited_on"],
                households_reached=data["households_reached"],
                note=data["note"],
                findings=data["findings"].splitlines(),
            )
        except LedgerError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("已记录走访。"))
            return redirect("ledgers:visit", pk=visit.pk)
    context = {"form": form, "buildings": buildings, "visits": selectors.recent_visits(request.user)}
    return render(request, "ledgers/visits.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def visit_detail(request, pk: int):
    visit = policy.get_for(
        request.user, Visit.objects.select_related("building__compound", "entrance", "person", "community"), pk=pk
    )
    return render(
        request,
        "ledgers/visit.html",
        {
            "visit": visit,
            "findings": selectors.visit_findings(visit),
            "categories": selectors.entry_categories(),
            "ledgers": selectors.community_ledgers(visit.community_id)
            if services.manages(request.user, visit.community_id)
            else [],
        },
    )


@login_required
@require_POST
def finding_act(request, pk: int, target: str):
    finding = policy.get_for(request.user, VisitFinding.objects.select_related("visit"), pk=pk)
    try:
        if target == "case":
            form = FindingCaseForm(request.POST)
            category = selectors.active_category(form.cleaned_data["category"]) if form.is_valid() else None
            if category is None:
                raise services.invalid(_("请选择问题类别。"), field="category")
            case = services.finding_to_case(actor=request.user, finding=finding, category=category)
            messages.success(request, _("已登记为案件 %(number)s。") % {"number": case.number})
        elif target == "entry":
            form = FindingEntryForm(request.POST)
            ledger = (
                selectors.community_ledgers(finding.visit.community_id).filter(pk=form.cleaned_data["ledger"]).first()
                if form.is_valid()
                else None
            )
            if ledger is None:
                raise services.invalid(_("请选择台账。"), field="ledger")
            entry = services.finding_to_entry(actor=request.user, finding=finding, ledger=ledger)
            messages.success(request, _("已转入%(ledger)s第 %(seq)d 条。") % {"ledger": ledger.name, "seq": entry.seq})
        else:
            raise Http404
    except LedgerError as exc:
        show_error(request, exc)
    return redirect("ledgers:visit", pk=finding.visit_id)


# ---------------------------------------------------------------- frontage duties


@login_required
@require_GET
def frontage(request):
    if not _communities(request) and not policy.jurisdiction_of(request.user).organisation_ids:
        raise Http404
    return render(request, "ledgers/frontage.html", {"duties": selectors.frontage_duties(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def frontage_detail(request, pk: int):
    duty = policy.get_for(request.user, FrontageDuty.objects.select_related("community", "organisation"), pk=pk)
    j = policy.jurisdiction_of(request.user)
    can_inspect = j.everything or duty.community_id in j.view_community_ids
    form = InspectForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_inspect:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.frontage_inspect(
                    actor=request.user,
                    duty=duty,
                    sanitation_ok=data["sanitation_ok"],
                    order_ok=data["order_ok"],
                    greening_ok=data["greening_ok"],
                    note=data["note"],
                    photos=data["photos"],
                )
            except DomainError as exc:
                show_error(request, exc, form)
            else:
                if inspection.escalated_case_id:
                    messages.warning(
                        request,
                        _("60 天内第 3 次不合格，已自动立案：%(number)s。")
                        % {"number": inspection.escalated_case.number},
                    )
                else:
                    messages.success(request, _("已记录检查结果。"))
                return redirect("ledgers:frontage_detail", pk=duty.pk)
    context = {
        "duty": duty,
        "inspections": selectors.frontage_inspections(duty),
        "form": form,
        "can_inspect": can_inspect,
    }
    return render(request, "ledgers/frontage_detail.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------- zone responsibility


@login_required
@require_GET
def zones(request):
    try:
        days = max(1, min(365, int(request.GET.get("days", 14))))
    except ValueError:
        days = 14
    coverage = selectors.zone_coverage(request.user, days=days)
    loggable = selectors.loggable_zones(request.user)
    if not coverage and not loggable and not _communities(request):
        raise Http404
    context = {
        "coverage": coverage,
        "days": days,
        "uncovered": sum(1 for c in coverage if not c.covered),
        "loggable": loggable,
    }
    return render(request, "ledgers/zones.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def zone_detail(request, pk: int):
    loggable = {z.pk: z for z in selectors.loggable_zones(request.user)}
    zone = selectors.zone_for(request.user, pk, loggable)
    if zone is None:
        raise Http404
    form = ZoneLogForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if pk not in loggable:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.zone_log_record(
                    actor=request.user, zone=zone, kind=data["kind"], note=data["note"], photos=data["photos"]
                )
            except LedgerError as exc:
                show_error(request, exc, form)
            else:
                messages.success(request, _("已记录。"))
                return redirect("ledgers:zone", pk=zone.pk)
    context = {
        "zone": zone,
        "logs": selectors.zone_logs(request.user, zone),
        "groups": services.zone_groups(zone),
        "form": form,
        "can_log": pk in loggable,
    }
    return render(request, "ledgers/zone.html", context, status=400 if form.errors else 200)
