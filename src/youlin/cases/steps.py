"""Every step a person can take on a case, in one table.

A step names its label, the statuses it may start from and the status it leads to, the role that may take it,
when the case page offers it, the page form, the API input schema and the service it calls. The permission check
(``permissions``), the buttons and forms of the case page (``views``), the API (one endpoint per step, with its
OpenAPI schema: ``api/routers/cases.py``) and the tests all read this table. Adding a step is one entry here and
one service.

Page forms and API schemas use the same field names, so one ``perform`` serves both: it receives the cleaned
input as a dict (``StepCall.data``) and calls the service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from youlin.cases import errors, forms
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import CLOSED_STATUSES, OPEN_STATUSES, Satisfaction, Status

if TYPE_CHECKING:
    from django import forms as django_forms

    from youlin.cases.models import Case


class Role(StrEnum):
    """Who may take a step (``permissions.permits`` says what each means for one user and one case)."""

    MANAGER = "manager"  # the case's community staff and secretaries, its sub-district's officers, the district
    HANDLER = "handler"  # people of an assigned organisation, or the community on its behalf (代办)
    VERIFIER = "verifier"  # the community's grid workers (and the district)
    REPORTER = "reporter"  # whoever reported it: their account, or the tracking token
    REPORTER_OR_MANAGER = "reporter_or_manager"
    SIGNED_IN = "signed_in"  # anyone signed in (support: +1)


# ---------------------------------------------------------------- API inputs (the page forms use the same names)


class StepIn(Schema):
    expected_version: int = Field(ge=1, le=2_147_483_647)


class NoteIn(StepIn):
    note: str = Field("", max_length=2000)


class ReasonIn(StepIn):
    reason: str = Field(min_length=1, max_length=2000)


class VerifyIn(NoteIn):
    passed: bool


SatisfactionName = Literal[tuple(Satisfaction.values)]  # type: ignore[valid-type]


class EvaluateIn(StepIn):
    responded: bool = Field(description="是否联系: did the handling unit contact the reporter?")
    resolved: bool = Field(description="是否解决: is the problem solved?")
    satisfaction: SatisfactionName
    comment: str = Field("", max_length=2000)


class FollowUpIn(StepIn):
    reached: bool = Field(description="False: the call did not reach the caller (未接通), an attempt only.")
    channel: Literal["phone", "onsite"] = "phone"
    responded: bool | None = Field(None, description="Required when reached.")
    resolved: bool | None = Field(None, description="Required when reached.")
    satisfaction: SatisfactionName | Literal[""] = Field("", description="Required when reached.")
    note: str = Field("", max_length=2000)


class ExtensionRequestIn(StepIn):
    working_days: int | None = Field(None, ge=1, le=60, description="Working days added to the current deadline.")
    requested_deadline: datetime | None = Field(None, description="Or the new deadline itself.")
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionDecideIn(StepIn):
    extension: int = Field(ge=1, le=2**63 - 1)
    approve: bool
    note: str = Field("", max_length=2000)
    deadline: datetime | None = None


class RerouteIn(StepIn):
    organisations: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=2000)
    duty: str = Field("", max_length=32)


class CorrectIn(StepIn):
    category: str | None = Field(
        None,
        pattern=r"^((matter|component):)?[0-9]{5}$",
        description="The right category: a code (a matter unless category_kind says otherwise) or kind:code.",
    )
    category_kind: Literal["matter", "component"] = "matter"
    building: int | None = Field(
        None, ge=1, le=2**63 - 1, description="The right place: a building of the case's community."
    )
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    reason: str = Field(min_length=1, max_length=2000)


class MergeIn(StepIn):
    survivor: str = Field(min_length=1, max_length=24, description="The number of the case that goes on.")
    reason: str = Field("", max_length=2000)


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class StepCall:
    """One request to take a step: who, on which case, with which input (cleaned form data or API payload)."""

    actor: Any
    case: Case
    data: dict[str, Any]
    token: str | None = None

    @property
    def version(self) -> int:
        return self.data["expected_version"]


@dataclass(frozen=True)
class Step:
    action: str
    label: Any
    from_statuses: frozenset[str]
    to_status: str | None  # None: the status stays
    role: Role
    perform: Callable[[StepCall], Any] | None = None  # None: taken inside another step's service (verify_fail)
    form: type[django_forms.Form] | None = None
    schema: type[Schema] | None = None
    photos: bool = False  # the step takes up to nine photos (multipart in the API)
    # Beyond status and role, when the case page offers the step (``selectors.StepOffer`` answers the facts).
    offered: Callable[[Any], bool] | None = None
    # The page's forms for this case (several for extension_decide: one per pending request); default: one.
    page_forms: Callable[[Step, Case, dict], list] | None = None
    versioned: bool = True
    api_summary: str = ""
    api_description: str = ""
    danger: bool = False  # shown as a red button (void, return)
    # The step takes a reply for the public (``public_note``) beside its internal note: added here to its page
    # form and API schema, stored on the timeline event, the only note Open311 and the tracking page show.
    public_reply: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.public_reply:
            object.__setattr__(self, "form", _with_public_reply_form(self.form))
            object.__setattr__(self, "schema", _with_public_reply_schema(self.action, self.schema))

    def bind(self, case: Case, data=None, files=None, **kwargs):
        """The page form, bound to a POST (or unbound), with its choices for this case."""
        return self.form(data, files, prefix=self.action, **self.form_kwargs(case), **kwargs)

    def form_kwargs(self, case: Case) -> dict:
        return self.extra.get("form_kwargs", lambda c: {})(case)

    def forms_for(self, case: Case) -> list:
        initial = {"expected_version": case.version}
        if self.page_forms is not None:
            return self.page_forms(self, case, initial)
        return [self.bind(case, initial=initial)]


PUBLIC_NOTE_HELP = _("写给报告人和公众的话，会显示在查询页和 Open311 接口；不要写姓名、电话等个人信息。")


def _with_public_reply_form(form: type[django_forms.Form]) -> type[django_forms.Form]:
    from django import forms as django_forms

    field = django_forms.CharField(
        label=_("公开答复"),
        help_text=PUBLIC_NOTE_HELP,
        max_length=2000,
        required=False,
        widget=django_forms.Textarea(attrs={"rows": 2}),
    )
    return type(f"{form.__name__}WithPublicReply", (form,), {"public_note": field, "__module__": form.__module__})


def _with_public_reply_schema(action: str, schema: type[Schema]) -> type[Schema]:
    from pydantic import create_model

    name = "".join(part.title() for part in action.split("_")) + "In"
    description = "公开答复: the reply for the public (Open311 status_notes, the tracking page); `note` stays internal."
    return create_model(
        name,
        __base__=schema,
        __module__=schema.__module__,
        public_note=(str, Field("", max_length=2000, description=description)),
    )


def _public(call: StepCall) -> dict:
    """The public reply, for the steps whose form and schema carry one."""
    return {"public_note": call.data["public_note"] or ""} if "public_note" in call.data else {}


def _services():
    # Imported when a step runs: the services import ``permissions``, which reads this table.
    from youlin.cases import services

    return services


def _common(call: StepCall) -> dict:
    return {"actor": call.actor, "case": call.case, "expected_version": call.version}


def _note(service: str) -> Callable[[StepCall], Any]:
    def perform(call: StepCall):
        return getattr(_services(), service)(**_common(call), note=call.data.get("note", ""), **_public(call))

    return perform


def _reason(service: str, *, token: bool = False) -> Callable[[StepCall], Any]:
    def perform(call: StepCall):
        kwargs = {"token": call.token} if token else {}
        return getattr(_services(), service)(**_common(call), reason=call.data.get("reason", ""), **kwargs)

    return perform


def _report_done(call: StepCall):
    return _services().case_report_done(
        **_common(call), note=call.data.get("note", ""), photos=call.data.get("photos") or [], **_public(call)
    )


def _verify(call: StepCall):
    return _services().case_verify(
        **_common(call),
        passed=call.data["passed"],
        note=call.data.get("note", ""),
        photos=call.data.get("photos") or [],
        **_public(call),
    )


def _evaluate(call: StepCall):
    d = call.data
    return _services().case_evaluate(
        **_common(call),
        responded=d["responded"],
        resolved=d["resolved"],
        satisfaction=d["satisfaction"],
        comment=d.get("comment", ""),
        token=call.token,
    )


def _follow_up(call: StepCall):
    d = call.data
    return _services().case_follow_up(
        **_common(call),
        reached=d["reached"],
        channel=d.get("channel") or "phone",
        responded=d.get("responded"),
        resolved=d.get("resolved"),
        satisfaction=d.get("satisfaction") or "",
        note=d.get("note", ""),
    )


def _extension_request(call: StepCall):
    return _services().case_extension_request(
        **_common(call),
        requested_deadline=call.data.get("requested_deadline"),
        working_days=call.data.get("working_days"),
        reason=call.data.get("reason", ""),
    )


def _extension_decide(call: StepCall):
    from youlin.cases.selectors import pending_extension

    extension = pending_extension(call.case, call.data["extension"])
    if extension is None:
        raise CaseError(CaseErrorCode.NOT_FOUND, _("没有找到这个延期申请。"), field="extension")
    return _services().case_extension_decide(
        actor=call.actor,
        extension=extension,
        expected_version=call.version,
        approve=call.data["approve"],
        note=call.data.get("note", ""),
        deadline=call.data.get("deadline"),
    )


def _reroute(call: StepCall):
    from youlin.cases.selectors import reroute_choices

    wanted = {int(pk) for pk in call.data["organisations"]}
    organisations = [o for o in reroute_choices(call.case) if o.pk in wanted]
    if len(organisations) != len(wanted):
        raise errors.invalid(_("有责任单位不存在或不属于本社区及街道，请检查编号。"), field="organisations")
    return _services().case_route_override(
        **_common(call), organisations=organisations, reason=call.data.get("reason", ""), duty=call.data.get("duty", "")
    )


def _correct(call: StepCall):
    from youlin.cases import selectors

    d = call.data
    category = None
    if d.get("category"):
        kind, _sep, code = d["category"].rpartition(":")
        category = selectors.category_by_code(code, kind or d.get("category_kind") or "matter")
        if category is None:
            raise errors.invalid(_("没有这个问题类别，请重新选择。"), field="category")
    lon, lat = d.get("lon"), d.get("lat")
    if d.get("building"):
        point = selectors.building_point(d["building"], community_id=call.case.community_id)
        if point is None:
            raise errors.invalid(_("所选楼栋不在本社区，请重新选择。"), field="building")
        lon, lat = point
    return _services().case_correct(**_common(call), reason=d.get("reason", ""), category=category, lon=lon, lat=lat)


def _correct_choices(case: Case) -> dict:
    from youlin.cases import selectors

    return {
        "category_choices": [
            (f"{c.kind}:{c.code}", f"{c.code} {c.label}")
            for group in selectors.category_groups().values()
            for c in group
        ],
        "building_choices": selectors.building_choices(case.community_id),
    }


def _merge(call: StepCall):
    from youlin.access import policy
    from youlin.cases.models import Case

    survivor = policy.get_for(call.actor, Case.objects.all(), policy.VIEW, number=call.data["survivor"].strip())
    return _services().case_merge(**_common(call), survivor=survivor, reason=call.data.get("reason", ""))


def _reroute_choices(case: Case) -> dict:
    from youlin.cases.selectors import reroute_choices

    return {"organisation_choices": [(o.pk, f"{o.name}（{o.get_kind_display()}）") for o in reroute_choices(case)]}


def _extension_forms(step: Step, case: Case, initial: dict) -> list:
    from youlin.cases.selectors import pending_extensions

    found = []
    for extension in pending_extensions(case):
        form = step.bind(case, initial={**initial, "extension": extension.pk})
        form.extension = extension
        found.append(form)
    return found


_EDITABLE = frozenset({Status.REGISTERED, Status.DISPATCHED, Status.RETURNED})
_HANDLING = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS})

# The order is the order of the buttons on the case page.
STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(
            "dispatch",
            _("派遣"),
            frozenset({Status.REGISTERED, Status.RETURNED}),
            Status.DISPATCHED,
            Role.MANAGER,
            _note("case_dispatch"),
            forms.NoteForm,
            NoteIn,
            offered=lambda o: bool(o.standing.assigned_organisation_ids),
            api_summary="Dispatch to the responsible organisations",
            public_reply=True,
        ),
        Step(
            "reroute",
            _("调整责任单位"),
            _EDITABLE,
            None,
            Role.MANAGER,
            _reroute,
            forms.RerouteForm,
            RerouteIn,
            extra={"form_kwargs": _reroute_choices},
            api_summary="Replace the responsible organisations",
            api_description="Organisations of the case's community or its sub-district, with the reason.",
        ),
        Step(
            "correct",
            _("更正位置或类别"),
            frozenset({Status.REGISTERED, Status.RETURNED}),
            None,
            Role.MANAGER,
            _correct,
            forms.CorrectForm,
            CorrectIn,
            extra={"form_kwargs": _correct_choices},
            api_summary="Correct the category or the place (更正)",
            api_description="The case is routed again and leaves the triage queue; give a category, a place "
            "(building, or lon and lat), or both, with the reason.",
        ),
        Step(
            "void",
            _("作废"),
            frozenset({Status.REGISTERED, Status.RETURNED}),
            Status.VOIDED,
            Role.MANAGER,
            _reason("case_void"),
            forms.ReasonForm,
            ReasonIn,
            danger=True,
        ),
        Step(
            "accept",
            _("接单"),
            frozenset({Status.DISPATCHED}),
            Status.ACCEPTED,
            Role.HANDLER,
            _note("case_accept"),
            forms.NoteForm,
            NoteIn,
            public_reply=True,
        ),
        Step(
            "return",
            _("退回"),
            frozenset({Status.DISPATCHED}),
            Status.RETURNED,
            Role.HANDLER,
            _reason("case_return"),
            forms.ReasonForm,
            ReasonIn,
            danger=True,
        ),
        Step(
            "start",
            _("开始处置"),
            frozenset({Status.ACCEPTED}),
            Status.IN_PROGRESS,
            Role.HANDLER,
            _note("case_start"),
            forms.NoteForm,
            NoteIn,
            public_reply=True,
        ),
        Step(
            "extension_request",
            _("申请延期"),
            _HANDLING,
            None,
            Role.HANDLER,
            _extension_request,
            forms.ExtensionRequestForm,
            ExtensionRequestIn,
            offered=lambda o: not o.pending_extension,
        ),
        Step(
            "report_done",
            _("反馈处置结果"),
            frozenset({Status.IN_PROGRESS}),
            Status.REPORTED_DONE,
            Role.HANDLER,
            _report_done,
            forms.PhotoNoteForm,
            NoteIn,
            photos=True,
            api_description="Multipart: the note and up to nine photos of the result.",
            public_reply=True,
        ),
        Step(
            "verify",
            _("核查"),
            frozenset({Status.REPORTED_DONE}),
            Status.VERIFIED,
            Role.VERIFIER,
            _verify,
            forms.VerifyForm,
            VerifyIn,
            photos=True,
            api_description="Multipart: passed (true/false), the note (required when it failed) and up to nine photos.",
            public_reply=True,
        ),
        # Failing verification is the same form and service as ``verify`` (passed=false); it has its own rule.
        Step("verify_fail", _("核查"), frozenset({Status.REPORTED_DONE}), Status.IN_PROGRESS, Role.VERIFIER),
        Step(
            "extension_decide",
            _("审批延期"),
            frozenset(OPEN_STATUSES),
            None,
            Role.MANAGER,
            _extension_decide,
            forms.ExtensionDecideForm,
            ExtensionDecideIn,
            offered=lambda o: o.pending_extension,
            page_forms=_extension_forms,
        ),
        Step(
            "supervise",
            _("督办"),
            frozenset(OPEN_STATUSES),
            None,
            Role.MANAGER,
            _note("case_supervise"),
            forms.NoteForm,
            NoteIn,
            offered=lambda o: o.overdue,
        ),
        Step(
            "close",
            _("结案"),
            frozenset({Status.VERIFIED}),
            Status.CLOSED,
            Role.MANAGER,
            _note("case_close"),
            forms.NoteForm,
            NoteIn,
            public_reply=True,
        ),
        Step(
            "evaluate",
            _("评价"),
            frozenset({Status.CLOSED}),
            Status.EVALUATED,
            Role.REPORTER,
            _evaluate,
            forms.EvaluateForm,
            EvaluateIn,
        ),
        Step(
            "follow_up",
            _("回访"),
            frozenset(CLOSED_STATUSES),
            Status.EVALUATED,
            Role.MANAGER,
            _follow_up,
            forms.FollowUpForm,
            FollowUpIn,
            api_summary="Record a follow-up call (回访)",
            api_description="Reached: the three answers (responded, resolved, satisfaction) become the case's. "
            "Not reached: an attempt on the timeline; the case can be called again.",
        ),
        Step(
            "reopen",
            _("重新打开"),
            frozenset(CLOSED_STATUSES),
            Status.DISPATCHED,
            Role.REPORTER_OR_MANAGER,
            _reason("case_reopen", token=True),
            forms.ReasonForm,
            ReasonIn,
            offered=lambda o: o.reopen_window_open,
        ),
        Step(
            "merge",
            _("合并"),
            _EDITABLE,
            Status.MERGED,
            Role.MANAGER,
            _merge,
            forms.MergeForm,
            MergeIn,
            api_summary="Merge this duplicate into the survivor",
            api_description="The survivor is a case of the same community the caller may see.",
        ),
        # +1: a counter, not a step of the loop (no version, no timeline event): its own endpoint and button.
        Step(
            "support",
            _("点赞"),
            frozenset(set(Status.values) - {Status.VOIDED, Status.MERGED}),
            None,
            Role.SIGNED_IN,
            versioned=False,
            offered=lambda o: not o.supported,
        ),
    )
}

# Labels of what the timeline records that is not a step someone takes.
OTHER_LABELS = {"register": _("登记")}


def get(action: str) -> Step | None:
    return STEPS.get(action)


def label(action: str):
    step = STEPS.get(action)
    return step.label if step is not None else OTHER_LABELS.get(action, action)


def with_form() -> Sequence[Step]:
    """Steps taken through a form on the case page and an endpoint of the API (everything but verify_fail and
    support, which have their own)."""
    return [s for s in STEPS.values() if s.form is not None and s.perform is not None]
