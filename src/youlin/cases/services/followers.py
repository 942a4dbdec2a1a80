"""Who follows a case and is told about each step, and residents' +1 (support)."""

import contextlib
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import errors
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import (
    Case,
    CaseFollower,
    CaseSupport,
    Status,
)
from youlin.cases.permissions import label as _label
from youlin.cases.selectors import member_user_ids
from youlin.cases.services.base import (
    _follow_by_default,
)


@transaction.atomic
def case_follow(*, actor, case: Case) -> CaseFollower:
    """Follow a case one may see, to be told about each step. Following twice changes nothing."""
    if actor is None or not actor.is_authenticated:
        raise errors.permission_denied(_("关注"))
    if not policy.can(actor, policy.VIEW, case):
        raise errors.outside_jurisdiction()
    follower, _created = CaseFollower.objects.get_or_create(case=case, user=actor)
    return follower


@transaction.atomic
def case_unfollow(*, actor, case: Case) -> bool:
    """Stop following; whether there was anything to stop."""
    if actor is None or not actor.is_authenticated:
        return False
    deleted, _rows = CaseFollower.objects.filter(case=case, user=actor).delete()
    return bool(deleted)


@transaction.atomic
def case_support(*, actor, case: Case) -> Case:
    """+1 from a signed-in user, once per case. A counter, not a step of the loop: it takes no version and
    writes no timeline event (the support row is its own record), so many residents can +1 at once."""
    if actor is None or not actor.is_authenticated:
        raise errors.permission_denied(_label("support"))
    if case.status in {Status.VOIDED, Status.MERGED}:
        raise errors.illegal_transition(case.get_status_display(), _label("support"))
    try:
        with transaction.atomic():
            CaseSupport.objects.create(case=case, user=actor)
    except IntegrityError:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("您已经为这个诉求点过赞了。")) from None
    Case.objects.filter(pk=case.pk).update(support_count=F("support_count") + 1)
    case.refresh_from_db(fields=["support_count"])
    return case


def case_support_by_number(*, actor, number: str) -> Case | None:
    """+1 by case number. A case the actor may see is supported as ``case_support`` does (its errors raised) and
    returned. Any other number (another community's case, or none at all) returns None whatever happened, so the
    answer cannot tell them apart (numbers are sequential); an open case of another community still gets the +1,
    as a nearby duplicate offered while reporting may be one."""
    case = Case.objects.filter(number=number).first()
    if case is not None and policy.can(actor, policy.VIEW, case):
        return case_support(actor=actor, case=case)
    if case is not None:
        with contextlib.suppress(CaseError):  # refused or already counted: answered as a missing number
            case_support(actor=actor, case=case)
    return None


def _refollow(case: Case, *, before: Sequence[int], after: Sequence[int]) -> None:
    """The people of the new organisations follow; those of the replaced ones stop (they no longer see the
    case), unless they registered or reported it or belong to an organisation still responsible."""
    members = member_user_ids([*before, *after])
    staying = {pk for org in after for pk in members.get(org, ())}
    leaving = {pk for org in set(before) - set(after) for pk in members.get(org, ())}
    leaving -= staying | {case.registered_by_id, case.reporter.user_id if case.reporter_id else None}
    if leaving:
        CaseFollower.objects.filter(case=case, user_id__in=leaving).delete()
    _follow_by_default(case, staying)
