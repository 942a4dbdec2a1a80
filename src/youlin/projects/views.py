"""Project pages: the list, the application (from a resolution or a case), and the project page with each
stage's form. Views parse input, call a service or selector, and render; foreign rows are 404."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from youlin.access import policy
from youlin.cases.forms import MultiplePhotoField
from youlin.cases.models import Case, Satisfaction
from youlin.core.replicas import replica_reads
from youlin.deliberation import permissions
from youlin.deliberation import selectors as deliberation
from youlin.deliberation.services import MeetingKind
from youlin.domain.errors import DomainError
from youlin.domain.pages import show_error
from youlin.parties.models import Organisation
from youlin.projects import selectors, services
from youlin.projects.errors import ProjectError
from youlin.projects.models import Milestone, Project

# ---------------------------------------------------------------- forms


class ApplyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("项目名称"), max_length=160)
    scope = forms.CharField(label=gettext_lazy("实施范围"), widget=forms.Textarea(attrs={"rows": 2}))
    plan = forms.CharField(label=gettext_lazy("实施方案"), widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.DecimalField(label=gettext_lazy("预算估算（元）"), min_value=0, max_digits=12, decimal_places=2)
    photos = MultiplePhotoField(label=gettext_lazy("现状照片"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _datetime(value: str) -> datetime | None:
    """A ``datetime-local`` input, in the site's time zone."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.get_current_timezone())
    except (TypeError, ValueError):
        return None


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- list and application


@login_required
def project_list(request):
    status = request.GET.get("status", "")
    status = status if status in Project.Status.values else ""
    page = selectors.project_list(request.user, status=status, cursor=request.GET.get("after"))
    context = {"page": page, "status": status, "statuses": Project.Status.choices}
    template = "projects/partials/list_rows.html" if request.htmx and request.GET.get("after") else "projects/list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    source = request.GET.get("resolution") or request.POST.get("resolution")
    number = request.GET.get("case") or request.POST.get("case")
    resolution = case = None
    if source:
        resolution = deliberation.resolution_for(request.user, source, policy.CHANGE)
        origin = deliberation.resolution_origin(resolution)
        cases = origin.cases
        initial = {"title": origin.proposal_title[:160], "plan": resolution.text, "scope": origin.item_title}
    elif number:
        case = policy.get_for(request.user, Case.objects.select_related("category"), policy.CHANGE, number=number)
        cases = [case]
        initial = {"title": f"{case.category.label}专项整治", "scope": case.address, "plan": case.description}
    else:
        raise Http404
    form = ApplyForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_apply(
                actor=request.user,
                title=data["title"],
                scope=data["scope"],
                plan=data["plan"],
                budget=data["budget"],
                resolution=resolution,
                cases_=[case] if case else [],
                photos=data["photos"],
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("已向街道申报专项。"))
            return redirect("projects:detail", pk=project.pk)
    context = {"form": form, "resolution": resolution, "case": case, "cases": cases}
    return render(request, "projects/new.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------- the project page


def _project(request, pk: int) -> tuple[Project, bool]:
    project, full = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    return project, full


@login_required
def project_detail(request, pk: int):
    project, full = _project(request, pk)
    project = Project.objects.select_related(
        "community__subdistrict",
        "compound",
        "contractor",
        "resolution__item__meeting",
        "survey_meeting",
        "acceptance_meeting",
        "applied_by",
        "reviewed_by",
    ).get(pk=project.pk)
    user = request.user
    j = policy.jurisdiction_of(user)
    manager = full and permissions.manages(user, project.community_id)
    officer = full and permissions.is_subdistrict_officer_for(user, project.community.subdistrict_id)
    staff = full and permissions.is_community_staff(user, project.community_id)
    contractor_staff = bool(project.contractor_id and project.contractor_id in j.organisation_ids)
    S = Project.Status
    photos = selectors.project_photos(project)
    time_taken = selectors.time_to_acceptance(project)
    context = {
        "project": project,
        "full": full,
        "S": S,
        "can_review": officer and project.status == S.APPLIED,
        "can_resubmit": staff and project.status == S.RETURNED,
        "can_revise": manager and project.status in {S.APPLIED, S.RETURNED, S.APPROVED},
        "can_survey": manager and project.status == S.APPROVED and not project.survey_meeting_id,
        "can_start": manager and project.status == S.APPROVED and project.survey_meeting_id,
        "can_post": (staff or contractor_staff) and project.status == S.UNDER_CONSTRUCTION,
        "can_schedule_acceptance": manager
        and project.status == S.UNDER_CONSTRUCTION
        and not project.acceptance_meeting_id,
        "can_accept": manager and project.status == S.UNDER_CONSTRUCTION and project.acceptance_meeting_id,
        "can_rate": project.status == S.ACCEPTED
        and permissions.is_resident_of(user, project.community_id)
        and not project.ratings.filter(user=user).exists(),
        "plan_history": selectors.plan_history(project) if full else [],
        "milestones": list(project.milestones.all()),
        "updates": selectors.progress_updates(project),
        "before_photos": photos["before"],
        "after_photos": photos["after"],
        "linked": selectors.linked_cases_with_photos(project),
        "events": list(project.events.order_by("at", "id")) if full else [],
        "ratings": list(project.ratings.all()),
        "time_taken": selectors.duration_label(time_taken),
        "contractors": Organisation.objects.filter(kind=Organisation.Kind.CONTRACTOR).order_by("name"),
        "satisfactions": Satisfaction.choices,
        "now": timezone.localtime().replace(second=0, microsecond=0),
        "today": timezone.localdate(),
        "public_url": selectors.public_url(project),
    }
    return render(request, "projects/detail.html", context)


@replica_reads
def project_public(request, slug: str, pk: int):
    """A project as anyone sees it (no login, no personal data): before and after, milestones, the dates from the
    first report to acceptance."""
    page = selectors.public_project(slug, pk)
    if page is None:
        raise Http404
    return render(request, "projects/public.html", {"page": page, "project": page.project})


def _act_review(request, project):
    services.project_review(
        actor=request.user,
        project=project,
        expected_version=_int(request.POST.get("expected_version"), -1),
        decision=request.POST.get("decision", ""),
        note=request.POST.get("note", ""),
    )
    return _("已审核。")


def _act_resubmit(request, project):
    services.project_resubmit(
        actor=request.user,
        project=project,
        expected_version=_int(request.POST.get("expected_version"), -1),
        note=request.POST.get("note", ""),
    )
    return _("已重新申报。")


def _act_revise(request, project):
    services.plan_revise(
        actor=request.user,
        project=project,
        expected_version=_int(request.POST.get("expected_version"), -1),
        scope=request.POST.get("scope", ""),
        plan=request.POST.get("plan", ""),
        budget=request.POST.get("budget", ""),
        note=request.POST.get("note", ""),
    )
    return _("方案已更新，旧版本已保留。")


def _schedule(request, project, kind):
    starts_at = _datetime(request.POST.get("starts_at", ""))
    if starts_at is None:
        raise ProjectError.invalid(_("请填写时间。"))
    contractor = None
    if request.POST.get("contractor"):
        contractor = Organisation.objects.filter(pk=_int(request.POST.get("contractor"), 0)).first()
    meeting = services.project_meeting_schedule(
        actor=request.user,
        project=project,
        expected_version=_int(request.POST.get("expected_version"), -1),
        kind=kind,
        starts_at=starts_at,
        place=request.POST.get("place", ""),
        contractor=contractor,
    )
    messages.success(
        request,
        _("已安排“%(title)s”，邀请已发给街道城管办、社区党委和施工队。会议在该步骤办理时记为已召开。")
        % {"title": meeting.title},
    )
    return redirect("projects:detail", pk=project.pk)


def _act_survey(request, project):
    return _schedule(request, project, MeetingKind.SITE_SURVEY)


def _act_acceptance_schedule(request, project):
    return _schedule(request, project, MeetingKind.ACCEPTANCE)


def _act_start(request, project):
    planned_start, planned_end = _date(request.POST.get("planned_start")), _date(request.POST.get("planned_end"))
    if planned_start is None or planned_end is None:
        raise ProjectError.invalid(_("请填写计划开工和完工日期。"))
    milestones = []
    for line in request.POST.get("milestones", "").splitlines():
        title, _sep, weight = line.strip().rpartition(" ")
        if not line.strip():
            continue
        if not title or _int(weight) is None:
            title, weight = line.strip(), "1"
        milestones.append((title, _int(weight, 1)))
    services.construction_start(
        actor=request.user,
        project=project,
        expected_version=_int(request.POST.get("expected_version"), -1),
        planned_start=planned_start,
        planned_end=planned_end,
        actual_start=_date(request.POST.get("actual_start")),
        milestones=milestones,
    )
    return _("已开工。")


def _act_progress(request, project):
    milestone = None
    if request.POST.get("milestone"):
        milestone = Milestone.objects.filter(project=project, pk=_int(request.POST.get("milestone"), 0)).first()
    field = MultiplePhotoField()
    try:
        photos = field.clean(request.FILES.getlist("photos"))
    except forms.ValidationError as exc:
        raise ProjectError.invalid(" ".join(exc.messages)) from None
    services.progress_post(
        actor=request.user,
        project=project,
        percent=_int(request.POST.get("percent"), -1),
        note=request.POST.get("note", ""),
        milestone=milestone,
        photos=photos,
    )
    return _("已填报进展。")


def _act_accept(request, project):
    field = MultiplePhotoField()
    try:
        photos = field.clean(request.FILES.getlist("photos"))
    except forms.ValidationError as exc:
        raise ProjectError.invalid(" ".join(exc.messages)) from None
    services.project_accept(
        actor=request.user,
        project=project,
        expected_version=_int(request.POST.get("expected_version"), -1),
        note=request.POST.get("note", ""),
        photos=photos,
    )
    return _("验收通过，相关案件已核查。")


def _act_rate(request, project):
    services.project_rate(
        actor=request.user,
        project=project,
        satisfaction=request.POST.get("satisfaction", ""),
        comment=request.POST.get("comment", ""),
    )
    return _("感谢您的评价。")


ACTIONS = {
    "review": _act_review,
    "resubmit": _act_resubmit,
    "revise": _act_revise,
    "survey": _act_survey,
    "start": _act_start,
    "progress": _act_progress,
    "acceptance_schedule": _act_acceptance_schedule,
    "accept": _act_accept,
    "rate": _act_rate,
}


@login_required
@require_POST
def project_act(request, pk: int, action: str):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    project, _full = _project(request, pk)
    try:
        result = handler(request, project)
    except DomainError as exc:
        show_error(request, exc)
        return redirect("projects:detail", pk=project.pk)
    if isinstance(result, str):
        messages.success(request, result)
        return redirect("projects:detail", pk=project.pk)
    return result
