"""Updates on a case (进展留言): add one (words and photos), hide it with a reason or show it again, flag it.

Not steps of the loop: they take no version and write no timeline event, so a resident can write while staff
handle the case. Photos go through the photo service (checked by content, EXIF stripped). The moderation of an
update is recorded in ``CaseUpdateModeration`` in the same transaction. Who may do what: ``cases.updates``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import errors, updates
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, CaseAssignment, CaseUpdate, CaseUpdateFlag, CaseUpdateModeration
from youlin.cases.permissions import Standing
from youlin.cases.selectors import case_audience
from youlin.cases.services.base import _check_photos, _required_text, _store_photos, case_url
from youlin.domain.writes import actor_label, actor_user
from youlin.notifications import events
from youlin.notifications.services import notify

UPDATE_NOTICE = _("案件 %(number)s 有新的进展留言")
FLAG_NOTICE = _("案件 %(number)s 的一条留言被举报")


def _unit(standing: Standing) -> str:
    """The side a staff member writes for: the responsible unit they answer for, else the community."""
    organisations = standing.handler_organisation_ids
    if organisations:
        row = (
            CaseAssignment.objects.filter(case_id=standing.case.pk, organisation_id__in=organisations)
            .select_related("organisation")
            .order_by("id")
            .first()
        )
        if row is not None:
            return row.organisation.name[:100]
    return standing.case.community.name[:100]


@transaction.atomic
def case_update_add(
    *,
    actor,
    case: Case,
    text: str,
    photos: Sequence[UploadedFile] = (),
    is_public: bool = True,
    token: str | None = None,
) -> CaseUpdate:
    """Add an update to a case. The reporter (signed in or with the tracking ``token``) and whoever sees the case
    may; only staff may keep it internal (``is_public=False``). Its readers are told: everyone following the case
    for a public update, the case's staff for an internal one."""
    case = Case.objects.select_related("community", "category").get(pk=case.pk)
    standing = Standing(actor, case, token=token)
    if not updates.may_add(standing):
        if standing.sees_case or actor_user(actor) is None:
            raise errors.permission_denied(_("留言"))
        raise errors.outside_jurisdiction()
    staff = standing.works_on_case
    reporter = standing.is_reporter and not staff
    if not is_public and not staff:
        raise errors.invalid(_("居民的留言都是公开的。"), field="is_public")
    text = _required_text(text, _("请写下留言内容。"), "text")
    if len(text) > updates.MAX_TEXT:
        raise errors.invalid(_("留言最多 %(n)d 个字，请精简后再提交。") % {"n": updates.MAX_TEXT}, field="text")
    prepared = _check_photos(photos)
    label = (case.reporter_name or actor_label(actor)) if reporter else actor_label(actor)
    update = CaseUpdate.objects.create(
        case=case,
        author=actor_user(actor),
        author_label=label[:100],
        author_unit=_unit(standing) if staff else "",
        by_reporter=reporter,
        by_staff=staff,
        text=text,
        is_public=is_public,
        created_at=timezone.now(),
    )
    stored = _store_photos(actor, prepared)
    if stored:
        update.photos.add(*stored)
    recipients = case_audience(case) if is_public else _staff_audience(case)
    notify(
        recipients=recipients,
        title=UPDATE_NOTICE % {"number": case.number},
        body=f"{case.category.label} · {case.address}\n{text[:200]}",
        url=case_url(case),
        exclude=actor_user(actor),
        event=events.CASE_UPDATE,
    )
    return update


def _managers_condition(case: Case) -> Q:
    return Q(person__memberships__role__in=policy.MANAGE_ROLES) & (
        Q(person__memberships__community_id=case.community_id)
        | Q(
            person__memberships__community__isnull=True,
            person__memberships__organisation__community_id=case.community_id,
        )
    )


def _managers(case: Case) -> list:
    """The community's staff and secretary (one query)."""
    return list(get_user_model().objects.filter(_managers_condition(case), is_active=True).distinct().order_by("pk"))


def _staff_audience(case: Case) -> list:
    """Who reads an internal update: the responsible units' people and the community's staff (one query)."""
    condition = Q(person__memberships__organisation__case_assignments__case_id=case.pk) | _managers_condition(case)
    return list(get_user_model().objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _moderator(actor, update: CaseUpdate) -> Case:
    case = Case.objects.select_related("community").get(pk=update.case_id)
    standing = Standing(actor, case)
    if not updates.may_moderate(standing):
        if standing.sees_case:
            raise errors.permission_denied(_("处理留言"))
        raise errors.outside_jurisdiction()
    return case


def _record(update: CaseUpdate, *, action: str, actor, reason: str, at) -> CaseUpdateModeration:
    return CaseUpdateModeration.objects.create(
        update=update, action=action, actor=actor_user(actor), actor_label=actor_label(actor), reason=reason, at=at
    )


@transaction.atomic
def case_update_hide(*, actor, update: CaseUpdate, reason: str) -> CaseUpdate:
    """Hide an update from everyone but the case's managers, with the reason; it is kept, and so is the record of
    who hid it."""
    _moderator(actor, update)
    reason = _required_text(reason, _("请写明隐藏这条留言的理由。"), "reason")
    now = timezone.now()
    changed = CaseUpdate.objects.filter(pk=update.pk, hidden_at__isnull=True).update(
        hidden_at=now, hidden_by=actor_user(actor), hidden_reason=reason
    )
    if not changed:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("这条留言已经隐藏了。"))
    update.refresh_from_db()
    _record(update, action=CaseUpdateModeration.Action.HIDDEN, actor=actor, reason=reason, at=now)
    return update


@transaction.atomic
def case_update_restore(*, actor, update: CaseUpdate, reason: str = "") -> CaseUpdate:
    """Show a hidden update again (the earlier hiding stays on record)."""
    _moderator(actor, update)
    now = timezone.now()
    changed = CaseUpdate.objects.filter(pk=update.pk, hidden_at__isnull=False).update(
        hidden_at=None, hidden_by=None, hidden_reason=""
    )
    if not changed:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("这条留言没有被隐藏。"))
    update.refresh_from_db()
    _record(update, action=CaseUpdateModeration.Action.RESTORED, actor=actor, reason=(reason or "").strip(), at=now)
    return update


def flagger_key(*, actor=None, session_key: str | None = None) -> str:
    """Who flags, as a key: the account, or a hash of an anonymous visitor's session (never the session itself)."""
    user = actor_user(actor)
    if user is not None:
        return f"u:{user.pk}"
    if not session_key:
        raise errors.invalid(_("请允许浏览器保存 Cookie 后再举报。"))
    return "s:" + hashlib.sha256(session_key.encode()).hexdigest()[:64]


@transaction.atomic
def case_update_flag(*, actor, update: CaseUpdate, key: str, reason: str = "") -> CaseUpdate:
    """Anyone may report a public update as abusive, once. The first report tells the case's community staff."""
    if not update.is_public or update.is_hidden:
        raise errors.invalid(_("这条留言不存在或已被隐藏。"))
    try:
        with transaction.atomic():
            CaseUpdateFlag.objects.create(
                update=update,
                user=actor_user(actor),
                flagger_key=key,
                reason=(reason or "").strip()[:200],
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("您已经举报过这条留言，工作人员会尽快处理。")) from None
    CaseUpdate.objects.filter(pk=update.pk).update(flag_count=F("flag_count") + 1)
    update.refresh_from_db(fields=["flag_count"])
    if update.flag_count == 1:
        case = Case.objects.select_related("category").get(pk=update.case_id)
        notify(
            recipients=_managers(case),
            title=FLAG_NOTICE % {"number": case.number},
            body=update.text[:200],
            url=case_url(case),
            exclude=actor_user(actor),
            event=events.CASE_UPDATE,
        )
    return update
