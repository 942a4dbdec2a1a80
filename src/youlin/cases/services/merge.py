"""Merging a duplicate into the case that goes on."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.cases import errors
from youlin.cases.models import (
    Case,
    CaseFollower,
    EventKind,
    Status,
)
from youlin.cases.permissions import require as _require
from youlin.cases.services.base import (
    _check_transition,
    _event,
    _follow_by_default,
    _fresh,
    _notify_followers,
    _sync,
    _write,
)


@transaction.atomic
def case_merge(
    *,
    actor,
    case: Case,
    survivor: Case,
    expected_version: int,
    reason: str = "",
) -> Case:
    """A duplicate joins the case that goes on (the survivor): it points there, ends as merged, and hands over
    its supporters' count. Both timelines record it."""
    if case.pk == survivor.pk:
        raise errors.invalid(_("不能把案件合并到它自己。"), field="survivor")
    current = _fresh(case, expected_version)
    _check_transition(current, "merge")
    _require(actor, current, "merge")
    target = Case.objects.select_for_update().get(pk=survivor.pk)
    if target.community_id != current.community_id:
        raise errors.invalid(_("只能合并同一社区的案件。"), field="survivor")
    if target.status in {Status.VOIDED, Status.MERGED}:
        raise errors.invalid(_("目标案件已作废或已被合并，请选择其他案件。"), field="survivor")
    _require(actor, target, "merge")
    now = timezone.now()
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.MERGED,
        now=now,
        to_status=Status.MERGED,
        fields={"merged_into": target},
        note=reason.strip(),
        data={"survivor": target.number},
    )
    Case.objects.filter(pk=target.pk).update(
        support_count=F("support_count") + current.support_count, version=F("version") + 1, updated_at=now
    )
    _event(
        target,
        actor=actor,
        kind=EventKind.ABSORBED,
        at=now,
        from_status=target.status,
        to_status=target.status,
        note=reason.strip(),
        data={"merged": current.number},
    )
    _notify_followers(result, EventKind.MERGED, actor=actor, note=reason.strip(), values={"survivor": target.number})
    # Whoever followed the duplicate now follows the case that goes on.
    _follow_by_default(target, CaseFollower.objects.filter(case=current).values_list("user_id", flat=True))
    survivor.refresh_from_db()
    _sync(case, result)
    return result
