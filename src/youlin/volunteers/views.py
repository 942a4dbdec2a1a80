"""Volunteer pages: activities with sign-up (capacity shown), check-in and check-out, service hours and their
.xlsx export. Reads go through the access policy (foreign rows are 404); writes are services."""

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
from youlin.domain.pages import show_error
from youlin.parties.models import Organisation, Person
from youlin.volunteers import selectors, services
from youlin.volunteers.errors import VolunteerError
from youlin.volunteers.forms import ActivityForm, SignUpOtherForm
from youlin.volunteers.models import Activity, SignUp


def _activity_for(request, pk: int) -> Activity:
    activity = selectors.visible_activities(request.user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


@login_required
@require_http_methods(["GET", "POST"])
def activity_list(request):
    j = policy.jurisdiction_of(request.user)
    managed = list(policy.scope(request.user, _communities(), policy.CHANGE))
    form = ActivityForm(request.POST or None)
    organisations = Organisation.objects.filter(
        community__in=managed, kind__in=[Organisation.Kind.VOLUNTEER_TEAM, Organisation.Kind.PARTNER_UNIT]
    ).order_by("kind", "name")
    if request.method == "POST":
        if not managed:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            community = next((c for c in managed if c.pk == data.get("community")), managed[0])
            by_pk = {o.pk: o for o in organisations}
            try:
                activity = services.activity_create(
                    actor=request.user,
                    community=community,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    capacity=data["capacity"],
                    team=by_pk.get(data["team"]),
                    partner_unit=by_pk.get(data["partner_unit"]),
                    description=data["description"],
                )
            except VolunteerError as exc:
                show_error(request, exc, form)
            else:
                messages.success(request, _("已发布活动。"))
                return redirect("volunteers:detail", pk=activity.pk)
    activities = list(selectors.visible_activities(request.user).order_by("-starts_at", "-id")[:50])
    mine = {}
    if j.person_id:
        mine = dict(
            SignUp.objects.filter(person_id=j.person_id, activity__in=[a.pk for a in activities]).values_list(
                "activity_id", "status"
            )
        )
    for a in activities:
        a.my_status = mine.get(a.pk)
    context = {
        "activities": activities,
        "form": form,
        "managed": managed,
        "organisations": organisations,
        "now": timezone.now(),
    }
    if not activities and not managed and j.person_id is None and not j.everything:
        raise Http404
    return render(request, "volunteers/list.html", context, status=400 if form.errors else 200)


def _communities():
    from youlin.places.models import Community

    return Community.objects.order_by("code")


@login_required
@require_GET
def activity_detail(request, pk: int):
    activity = _activity_for(request, pk)
    j = policy.jurisdiction_of(request.user)
    signups = selectors.activity_signups(activity)
    mine = next((s for s in signups if s.person_id == j.person_id), None) if j.person_id else None
    if mine is None and j.person_id:
        mine = SignUp.objects.filter(activity=activity, person_id=j.person_id).first()
    organiser = services.is_organiser(request.user, activity)
    candidates = []
    if organiser:
        taken = {s.person_id for s in signups}
        org_ids = [o for o in (activity.team_id, activity.partner_unit_id) if o]
        candidates = [
            p
            for p in Person.objects.filter(memberships__organisation_id__in=org_ids).distinct().order_by("name")
            if p.pk not in taken
        ]
    context = {
        "activity": activity,
        "signups": signups if organiser or j.everything else [s for s in signups if s.person_id == j.person_id],
        "mine": mine,
        "organiser": organiser,
        "candidates": candidates,
        "now": timezone.now(),
    }
    return render(request, "volunteers/detail.html", context)


@login_required
@require_POST
def activity_act(request, pk: int, action: str):
    activity = _activity_for(request, pk)
    j = policy.jurisdiction_of(request.user)
    try:
        if action == "signup":
            person = None
            if request.POST.get("person"):
                form = SignUpOtherForm(request.POST)
                if not form.is_valid():
                    raise Http404
                person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
                if person is None:
                    raise Http404
            services.activity_signup(actor=request.user, activity=activity, person=person)
            messages.success(request, _("报名成功。"))
        elif action in {"cancel", "check_in", "check_out"}:
            signup_id = request.POST.get("signup")
            qs = SignUp.objects.filter(activity=activity).select_related("activity")
            signup = qs.filter(pk=signup_id).first() if signup_id else qs.filter(person_id=j.person_id).first()
            if signup is None or not policy.can(request.user, policy.VIEW, signup):
                raise Http404
            service = {
                "cancel": services.activity_signup_cancel,
                "check_in": services.activity_check_in,
                "check_out": services.activity_check_out,
            }[action]
            signup = service(actor=request.user, signup=signup)
            messages.success(request, _("已%(what)s。") % {"what": signup.get_status_display().removeprefix("已")})
        else:
            raise Http404
    except VolunteerError as exc:
        show_error(request, exc)
    return redirect("volunteers:detail", pk=activity.pk)


@login_required
@require_GET
def hours(request):
    j = policy.jurisdiction_of(request.user)
    if not (j.everything or j.view_community_ids or j.organisation_ids or j.person_id):
        raise Http404
    context = {
        "volunteers": selectors.hours_by_volunteer(request.user),
        "teams": selectors.hours_by_team(request.user),
    }
    return render(request, "volunteers/hours.html", context)


@login_required
@require_GET
def hours_export(request):
    j = policy.jurisdiction_of(request.user)
    if not (j.everything or j.view_community_ids or j.organisation_ids or j.person_id):
        raise Http404
    return exports.download(selectors.hours_xlsx(request.user), f"志愿服务时长{timezone.localdate():%Y%m%d}.xlsx")
