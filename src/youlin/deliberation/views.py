"""Meeting pages: the list, convening (also from a case), the meeting page with every step, my action items
and the public notice. Views parse input, call a service or selector, and render; foreign rows are 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from youlin.access import policy
from youlin.cases.models import Case
from youlin.deliberation import forms, permissions, selectors, services
from youlin.deliberation.errors import DeliberationError
from youlin.deliberation.models import (
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingKind,
    Proposal,
    PublicNotice,
    Resolution,
    Vote,
)
from youlin.domain.errors import DomainError
from youlin.domain.pages import show_error
from youlin.parties.models import Organisation, Person
from youlin.places.models import Community
from youlin.verification import sessions

# ---------------------------------------------------------------- helpers


def _cases_by_numbers(user, raw: str) -> list[Case]:
    numbers = [n for n in (raw or "").replace(",", " ").replace("，", " ").split() if n]
    found = list(policy.scope(user, Case.objects.all()).filter(number__in=numbers))
    missing = set(numbers) - {c.number for c in found}
    if missing:
        raise DeliberationError.invalid(
            _("找不到案件 %(numbers)s，请核对编号。") % {"numbers": "、".join(sorted(missing))}
        )
    return found


def _invitations_from(post, organisations, people) -> list[services.InvitationSpec]:
    specs = []
    for o in organisations:
        value = post.get(f"org-{o.pk}", "")
        if value in {"invite", "vote"}:
            specs.append(services.InvitationSpec(organisation=o, label=o.get_kind_display(), can_vote=value == "vote"))
    for p in people:
        value = post.get(f"person-{p.pk}", "")
        if value in {"invite", "vote"}:
            specs.append(services.InvitationSpec(person=p, label=_("居民代表"), can_vote=value == "vote"))
    return specs


def _meeting_for(request, pk: int, action: str = policy.VIEW) -> Meeting:
    return policy.get_for(request.user, Meeting.objects.select_related("community"), action, pk=pk)


# ---------------------------------------------------------------- list and convening


@login_required
def meeting_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in MeetingKind.values else ""
    page = selectors.meeting_list(request.user, kind=kind, cursor=request.GET.get("after"))
    j = policy.jurisdiction_of(request.user)
    context = {"page": page, "kind": kind, "kinds": MeetingKind.choices, "can_convene": j.is_staff_level}
    template = (
        "deliberation/partials/list_rows.html"
        if request.htmx and request.GET.get("after")
        else "deliberation/list.html"
    )
    return render(request, template, context)


def _convene(request, *, community, compound=None, case: Case | None = None):
    organisations, people = selectors.invitation_candidates(community, compound)
    initial = {
        "starts_at": timezone.localtime().replace(minute=0, second=0, microsecond=0),
        "place": _("社区“友邻+”议事厅"),
    }
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if case is not None:
        form.fields["title"].initial = _("“友邻+”议事协商会：%(what)s") % {"what": case.category.name}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            specs = _invitations_from(request.POST, organisations, people)
            common = {
                "actor": request.user,
                "title": data["title"],
                "kind": data["kind"],
                "starts_at": data["starts_at"],
                "place": data["place"],
                "invitations": specs,
                "quorum_percent": data["quorum_percent"],
                "pass_percent": data["pass_percent"],
            }
            if case is not None:
                extra = [c for c in _cases_by_numbers(request.user, data["extra_cases"]) if c.pk != case.pk]
                meeting = services.meeting_create_from_case(case=case, extra_cases=extra, **common)
            else:
                if not data["title"]:
                    raise DeliberationError.invalid(_("请填写会议名称。"), field="title")
                meeting = services.meeting_create(community=community, compound=compound, **common)
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("会议已创建，邀请已发出。"))
            return redirect("deliberation:detail", pk=meeting.pk)
    if request.method == "POST":  # a form sent back with an error keeps what staff chose
        chosen = {key: request.POST.get(key, "") for key in request.POST if key.startswith(("org-", "person-"))}
    else:
        chosen = selectors.suggested_invitations(community, case)
    context = {
        "form": form,
        "case": case,
        "community": community,
        "organisations": [(o, chosen.get(f"org-{o.pk}", "")) for o in organisations],
        "people": [(p, chosen.get(f"person-{p.pk}", "")) for p in people],
    }
    return render(request, "deliberation/new.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    communities = list(policy.scope(request.user, Community.objects.order_by("code"), policy.CHANGE))
    if not communities:
        raise Http404
    chosen = request.GET.get("community") or request.POST.get("community")
    community = next((c for c in communities if str(c.pk) == chosen), communities[0])
    return _convene(request, community=community)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new_from_case(request, number: str):
    case = policy.get_for(
        request.user,
        Case.objects.select_related("category", "community__subdistrict", "compound"),
        policy.CHANGE,
        number=number,
    )
    if not case.needs_deliberation:
        messages.error(request, _("此案件未标记为“需议事协商”。"))
        return redirect("cases:detail", number=case.number)
    return _convene(request, community=case.community, compound=case.compound, case=case)


# ---------------------------------------------------------------- the meeting page


def _item_view(item: AgendaItem, meeting: Meeting, parties: list, capacities: list):
    proposals = list(item.proposals.all())
    count = selectors.count_votes(meeting, proposals, parties)
    try:
        resolution = item.resolution
    except ObjectDoesNotExist:
        resolution = None
    cast: dict[tuple[int, str], str] = {}
    for p in proposals:
        for v in p.votes.all():
            cast[(p.pk, selectors.party_key(organisation_id=v.organisation_id, person_id=v.voter_id))] = v.choice
    return {
        "item": item,
        "cases": list(item.cases.all()),
        "tally": count,
        # Each proposal with the viewer's voting capacities and what each of them chose.
        "rows": [
            (c, [(party, cast.get((c.proposal.pk, party.key), "")) for party in capacities]) for c in count.counts
        ],
        "resolution": resolution,
        "action_items": list(resolution.action_items.all()) if resolution else [],
    }


@login_required
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_with_everything(_meeting_for(request, pk))
    manager = permissions.manages(request.user, meeting.community_id)
    invitations = list(meeting.invitations.all())
    attendances = list(meeting.attendances.all())
    parties = selectors.voting_parties(meeting, invitations, attendances)
    signed_in = {a.person_id for a in attendances}
    me = permissions.person_id_of(request.user)
    my_capacities = selectors.capacities(parties, me)
    invited = selectors.invited_person_ids(meeting)
    items = [_item_view(i, meeting, parties, my_capacities) for i in meeting.agenda_items.all()]
    organisations, people = (
        selectors.invitation_candidates(meeting.community, meeting.compound) if manager else ([], [])
    )
    resolutions = [v["resolution"] for v in items if v["resolution"]]
    # The cases the page links, asked at once (a case is linked only for a viewer who can open it).
    policy.openable(request.user).preload(
        [
            meeting.source_case,
            *(c for v in items for c in v["cases"]),
            *(a.case for v in items for a in v["action_items"]),
        ]
    )
    represented = {a.organisation_id: a for a in attendances if a.organisation_id}
    members = selectors.invited_organisation_members(meeting) if manager else {}
    context = {
        "meeting": meeting,
        "manager": manager,
        "open": meeting.status == Meeting.Status.SCHEDULED,
        "items": items,
        "attendances": attendances,
        "parties": parties,
        "present_parties": [p for p in parties if p.present],
        "capacities": my_capacities,
        "invitations": [
            {
                "invitation": i,
                "representative": represented.get(i.organisation_id) if i.organisation_id else None,
                "signed_in": i.person_id in signed_in if i.person_id else i.organisation_id in represented,
                "members": members.get(i.organisation_id, []),
            }
            for i in invitations
        ],
        "can_vote": bool(my_capacities),
        "can_sign_in_self": me is not None and me in invited and me not in signed_in,
        "can_propose": manager or (me is not None and me in invited),
        "sign_in_people": [p for p in _sign_in_candidates(meeting, people) if p.pk not in signed_in] if manager else [],
        "organisations": organisations,
        "people": people,
        "assignees": _assignees(meeting, organisations, people) if manager else [],
        "resolutions": resolutions,
        "notices": list(meeting.notices.all()),
        "materials": list(meeting.materials.all()),
        "forms": {
            "item": forms.AgendaItemForm(prefix="item"),
            "material": forms.MaterialForm(prefix="material"),
            "close": forms.CloseForm(prefix="close", initial={"expected_version": meeting.version}),
            "publish": forms.PublishForm(prefix="publish"),
        },
        "today": timezone.localdate(),
        "vote_choices": Vote.Choice.choices,
    }
    return render(request, "deliberation/detail.html", context)


def _sign_in_candidates(meeting: Meeting, people) -> list[Person]:
    """Invited people and members of invited organisations first, then the community's residents."""
    invited = Person.objects.filter(pk__in=selectors.invited_person_ids(meeting)).order_by("name")
    seen = {p.pk for p in invited}
    return [*invited, *[p for p in people if p.pk not in seen]]


def _assignees(meeting: Meeting, organisations, people) -> list[tuple[str, str]]:
    rows = [(f"org-{o.pk}", f"{o.name}（{o.get_kind_display()}）") for o in organisations]
    rows += [(f"person-{p.pk}", p.name) for p in people]
    return rows


def _organisation_or_person(value: str):
    kind, _sep, pk = (value or "").partition("-")
    if not pk.isdigit():
        return None, None
    if kind == "org":
        return Organisation.objects.filter(pk=int(pk)).first(), None
    if kind == "person":
        return None, Person.objects.filter(pk=int(pk)).first()
    return None, None


def _act_invite(request, meeting):
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        raise DeliberationError.invalid(_("请选择要邀请的组织或人员。"))
    organisation, person = _organisation_or_person(form.cleaned_data["invitee"])
    if organisation is None and person is None:
        raise DeliberationError.invalid(_("请选择要邀请的组织或人员。"))
    services.meeting_invite(
        actor=request.user,
        meeting=meeting,
        organisation=organisation,
        person=person,
        label=form.cleaned_data["label"],
        can_vote=form.cleaned_data["can_vote"],
    )
    return _("已邀请。")


def _act_sign_in(request, meeting):
    form = forms.SignInForm(request.POST)
    if not form.is_valid():
        raise DeliberationError.invalid(_("请选择签到人，或填写单位代表的姓名。"))
    data = form.cleaned_data
    person = organisation = None
    if data["person"]:
        person = Person.objects.filter(pk=data["person"]).first()
        if person is None:
            raise Http404
    if data["organisation"]:
        organisation = Organisation.objects.filter(pk=data["organisation"]).first()
        if organisation is None:
            raise Http404
    attendance = services.meeting_sign_in(
        actor=request.user,
        meeting=meeting,
        person=person,
        organisation=organisation,
        name="" if person else data["name"],
        authorisation=data["authorisation"],
    )
    if attendance.organisation_id:
        return _("%(name)s 已代表 %(organisation)s 签到。") % {
            "name": attendance.person.name,
            "organisation": attendance.organisation.name,
        }
    return _("%(name)s 已签到。") % {"name": attendance.person.name}


def _act_item(request, meeting):
    form = forms.AgendaItemForm(request.POST, prefix="item")
    if not form.is_valid():
        raise DeliberationError.invalid(_("请填写议题。"))
    data = form.cleaned_data
    services.agenda_item_add(
        actor=request.user,
        meeting=meeting,
        title=data["title"],
        description=data["description"],
        cases=_cases_by_numbers(request.user, data["cases"]),
    )
    return _("已添加议题。")


def _act_proposal(request, meeting):
    form = forms.ProposalForm(request.POST)
    if not form.is_valid():
        raise DeliberationError.invalid(_("请写明方案内容。"))
    item = AgendaItem.objects.filter(meeting=meeting, pk=form.cleaned_data["item"]).first()
    if item is None:
        raise Http404
    item.meeting = meeting
    services.proposal_add(
        actor=request.user,
        item=item,
        title=form.cleaned_data["title"],
        description=form.cleaned_data["description"],
        proposed_by_label=form.cleaned_data["proposed_by_label"],
    )
    return _("已提出方案。")


def _act_vote(request, meeting):
    form = forms.VoteForm(request.POST)
    if not form.is_valid():
        raise DeliberationError.invalid(_("请选择赞成、反对或弃权。"))
    proposal = (
        Proposal.objects.select_related("item__meeting")
        .filter(item__meeting=meeting, pk=form.cleaned_data["proposal"])
        .first()
    )
    if proposal is None:
        raise Http404
    organisation, voter = _organisation_or_person(form.cleaned_data["party"])
    if form.cleaned_data["party"] and organisation is None and voter is None:
        raise Http404
    services.vote_cast(
        actor=request.user,
        proposal=proposal,
        choice=form.cleaned_data["choice"],
        voter=voter,
        organisation=organisation,
    )
    return _("已记录表决。")


def _act_decide(request, meeting):
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        raise DeliberationError.invalid(_("请选择决定方式。"))
    data = form.cleaned_data
    item = AgendaItem.objects.select_related("meeting").filter(meeting=meeting, pk=data["item"]).first()
    if item is None:
        raise Http404
    proposal = Proposal.objects.filter(item=item, pk=data["proposal"]).first() if data["proposal"] else None
    resolution = services.decision_record(
        actor=request.user,
        item=item,
        expected_version=data["expected_version"],
        method=data["method"],
        proposal=proposal,
        text=data["text"],
    )
    return _("已形成决议。") if resolution else _("方案未获通过，已记录。")


def _act_action_item(request, meeting):
    form = forms.ActionItemForm(request.POST)
    if not form.is_valid():
        raise DeliberationError.invalid(_("请填写任务、负责单位或人员和完成期限。"))
    data = form.cleaned_data
    resolution = (
        Resolution.objects.select_related("item__meeting").filter(item__meeting=meeting, pk=data["resolution"]).first()
    )
    if resolution is None:
        raise Http404
    organisation, person = _organisation_or_person(data["assignee"])
    case = _cases_by_numbers(request.user, data["case"])[0] if data["case"].strip() else None
    services.action_item_add(
        actor=request.user,
        resolution=resolution,
        title=data["title"],
        due_on=data["due_on"],
        assignee_organisation=organisation,
        assignee_person=person,
        case=case,
    )
    return _("已分派任务。")


def _act_material(request, meeting):
    form = forms.MaterialForm(request.POST, request.FILES, prefix="material")
    if not form.is_valid():
        raise DeliberationError.invalid(_("请选择要上传的照片或文件。"))
    services.material_add(
        actor=request.user, meeting=meeting, title=form.cleaned_data["title"], upload=form.cleaned_data["upload"]
    )
    return _("已上传材料。")


def _act_close(request, meeting):
    form = forms.CloseForm(request.POST, prefix="close")
    if not form.is_valid():
        raise DeliberationError.invalid(_("请填写会议纪要：谁参加、议了什么、决定了什么。"))
    services.meeting_close(
        actor=request.user,
        meeting=meeting,
        expected_version=form.cleaned_data["expected_version"],
        minutes=form.cleaned_data["minutes"],
    )
    return _("会议已结束，纪要已保存。")


def _act_publish(request, meeting):
    form = forms.PublishForm(request.POST, prefix="publish")
    if not form.is_valid():
        raise DeliberationError.invalid(_("请填写公示天数（1–60 天）。"))
    notice = services.notice_publish(
        actor=request.user, meeting=meeting, days=form.cleaned_data["days"], review_on=form.cleaned_data["review_on"]
    )
    messages.success(request, _("已发布公示。"))
    return redirect("deliberation:notice", pk=notice.pk)


ACTIONS = {
    "invite": _act_invite,
    "sign_in": _act_sign_in,
    "item": _act_item,
    "proposal": _act_proposal,
    "vote": _act_vote,
    "decide": _act_decide,
    "action_item": _act_action_item,
    "material": _act_material,
    "close": _act_close,
    "publish": _act_publish,
}


@login_required
@require_POST
def meeting_act(request, pk: int, action: str):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    meeting = _meeting_for(request, pk)
    try:
        result = handler(request, meeting)
    except DomainError as exc:
        show_error(request, exc)
        return redirect("deliberation:detail", pk=meeting.pk)
    if isinstance(result, str):
        messages.success(request, result)
        return redirect(f"{meeting_url(meeting)}#{action}")
    return result


def meeting_url(meeting: Meeting) -> str:
    return services.meeting_url(meeting)


# ---------------------------------------------------------------- my action items


@login_required
def my_action_items(request):
    show_done = request.GET.get("all") == "1"
    page = selectors.my_action_items(request.user, open_only=not show_done, cursor=request.GET.get("after"))
    return render(
        request,
        "deliberation/action_items.html",
        {"page": page, "show_done": show_done, "today": timezone.localdate(), "form": forms.CompleteForm()},
    )


@login_required
@require_POST
def action_item_complete(request, pk: int):
    item = policy.get_for(request.user, ActionItem.objects.all(), policy.VIEW, pk=pk)
    form = forms.CompleteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.action_item_complete(actor=request.user, action_item=item, note=note)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("任务已完成，已记入相关案件进程。"))
    return redirect("deliberation:my-action-items")


# ---------------------------------------------------------------- public notice


def _public_notice(pk: int) -> PublicNotice:
    notice = selectors.notice_public(pk)
    if notice is None:
        raise Http404
    return notice


def notice_detail(request, pk: int):
    """A notice under 公示 (and after it) is public: anyone reads it without logging in. Answering needs a light
    identity: an account, or a phone confirmed by a one-time code."""
    notice = _public_notice(pk)
    staff = policy.can(request.user, policy.VIEW, notice)
    phone = sessions.confirmed_phone(request) if not request.user.is_authenticated else None
    own = selectors.own_response(request.user, notice, phone.hash if phone else "")
    is_open = selectors.notice_is_open(notice)
    identified = request.user.is_authenticated or phone is not None
    context = {
        "notice": notice,
        "staff": staff,
        "open": is_open,
        "counts": selectors.notice_counts(notice),
        "resolutions": selectors.notice_resolutions(notice),
        "own": own,
        "phone": phone,
        "pending": sessions.pending_phone(request),
        "may_respond": is_open and own is None and identified,
        "needs_identity": is_open and own is None and not identified,
        "phone_next": request.path,
        "objections": selectors.objections(notice) if staff else [],
        "form": forms.RespondForm(),
    }
    return render(request, "deliberation/notice.html", context)


@require_POST
def notice_respond(request, pk: int):
    notice = _public_notice(pk)
    form = forms.RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择支持或反对。"))
        return redirect("deliberation:notice", pk=notice.pk)
    phone = sessions.confirmed_phone(request) if not request.user.is_authenticated else None
    try:
        services.notice_respond(
            actor=request.user,
            notice=notice,
            stance=form.cleaned_data["stance"],
            comment=form.cleaned_data["comment"],
            phone_hash=phone.hash if phone else "",
            phone_label=phone.label if phone else "",
        )
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("感谢您的意见，已提交。"))
    return redirect("deliberation:notice", pk=notice.pk)
