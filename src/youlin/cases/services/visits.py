"""Follow-up visits (回访) of closed cases: the three 12345 questions, asked by staff on the phone or on site, or
answered by the reporter on the tracking page. A call that did not reach the caller (未接通) is an attempt: on the
timeline, not counted. The latest reached visit is the case's answer (``responded``, ``resolved``,
``satisfaction``), from which the 三率 are computed; nothing else sets them."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from youlin.cases import errors
from youlin.cases.models import Case, CaseEvent, EventKind, FollowUpVisit, Satisfaction
from youlin.cases.services.base import _NOW, _step, _user_or_none


def _answers(*, responded, resolved, satisfaction) -> dict:
    if responded is None:
        raise errors.invalid(_("请选择是否联系过诉求人（是否联系）。"), field="responded")
    if resolved is None:
        raise errors.invalid(_("请选择问题是否已解决（是否解决）。"), field="resolved")
    if satisfaction not in Satisfaction.values:
        raise errors.invalid(_("请选择满意、基本满意或不满意。"), field="satisfaction")
    return {"responded": bool(responded), "resolved": bool(resolved), "satisfaction": satisfaction}


def _record(actor, channel: str, reached: bool, answers: dict, note: str):
    def write(event: CaseEvent) -> None:
        FollowUpVisit.objects.create(
            case_id=event.case_id,
            event=event,
            at=event.at,
            by=_user_or_none(actor),
            channel=channel,
            reached=reached,
            note=note,
            **answers,
        )

    return write


def _case_answers(answers: dict, note: str) -> dict:
    return {"evaluated_at": _NOW, "evaluation_comment": note, **answers}


@transaction.atomic
def case_follow_up(
    *,
    actor,
    case: Case,
    expected_version: int,
    reached: bool,
    responded: bool | None = None,
    resolved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
    channel: str = FollowUpVisit.Channel.PHONE,
) -> Case:
    """Staff call the reporter back (回访). Reached: the three answers are recorded and become the case's (it is
    then 已评价); not reached: an attempt on the timeline, the case stays as it is and can be called again."""
    note = (note or "").strip()
    if channel not in {FollowUpVisit.Channel.PHONE, FollowUpVisit.Channel.ONSITE}:
        raise errors.invalid(_("回访方式不正确。"), field="channel")
    if not reached:
        return _step(
            "follow_up",
            EventKind.FOLLOW_UP_ATTEMPTED,
            actor=actor,
            case=case,
            expected_version=expected_version,
            note=note,
            stay=True,
            data={"channel": channel, "reached": False},
            after_event=_record(actor, channel, False, {}, note),
        )
    answers = _answers(responded=responded, resolved=resolved, satisfaction=satisfaction)
    return _step(
        "follow_up",
        EventKind.FOLLOWED_UP,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        fields=_case_answers(answers, note),
        data={"channel": channel, "reached": True, **answers},
        after_event=_record(actor, channel, True, answers, note),
    )


@transaction.atomic
def case_evaluate(
    *,
    actor,
    case: Case,
    expected_version: int,
    satisfaction: str,
    responded: bool | None,
    resolved: bool | None,
    comment: str = "",
    token: str | None = None,
) -> Case:
    """The reporter (signed in, or holding the tracking token) answers the same three questions themselves."""
    answers = _answers(responded=responded, resolved=resolved, satisfaction=satisfaction)
    comment = (comment or "").strip()
    return _step(
        "evaluate",
        EventKind.EVALUATED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=comment,
        token=token,
        fields=_case_answers(answers, comment),
        data=answers,
        after_event=_record(actor, FollowUpVisit.Channel.SELF, True, answers, comment),
    )
