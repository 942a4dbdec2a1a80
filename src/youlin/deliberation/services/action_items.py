"""A resolution's tasks: added with who and by when, reported done (written to the case's timeline), and the
overdue ones reminded once a day."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from youlin.cases import services as cases
from youlin.cases.models import Case
from youlin.deliberation import permissions, selectors
from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import ActionItem, Resolution
from youlin.deliberation.services.checks import invalid, meeting_url, require_manager, required
from youlin.domain.writes import actor_user
from youlin.notifications import events
from youlin.notifications.services import notify
from youlin.parties.models import Organisation, Person
from youlin.parties.selectors import users_of


@transaction.atomic
def action_item_add(
    *,
    actor,
    resolution: Resolution,
    title: str,
    due_on: date,
    assignee_organisation: Organisation | None = None,
    assignee_person: Person | None = None,
    case: Case | None = None,
) -> ActionItem:
    """A task of a resolution: what, who (an organisation or a person), by when, for which case."""
    meeting = resolution.item.meeting
    require_manager(actor, meeting)
    title = required(title, _("请写明任务内容。"), "title")
    if assignee_organisation is None and assignee_person is None:
        raise invalid(_("请指定负责的单位或人员。"), "assignee")
    if case is not None and case.community_id != meeting.community_id:
        raise invalid(_("案件不属于本社区。"), "case")
    item = ActionItem.objects.create(
        resolution=resolution,
        title=title,
        due_on=due_on,
        assignee_organisation=assignee_organisation,
        assignee_person=assignee_person,
        case=case,
    )
    notify(
        recipients=users_of(
            people=[assignee_person.pk] if assignee_person else [],
            organisations=[assignee_organisation.pk] if assignee_organisation else [],
        ),
        title=_("新任务：%(title)s") % {"title": title},
        body=_("来自 %(meeting)s，期限 %(due)s") % {"meeting": meeting.title, "due": due_on.isoformat()},
        url=reverse("deliberation:my-action-items"),
        event=events.MEETING,
        exclude=actor_user(actor),
    )
    return item


@transaction.atomic
def action_item_complete(*, actor, action_item: ActionItem, note: str = "") -> ActionItem:
    """The assignee (or the community on their behalf) reports the task done; the linked case's timeline
    records it and the convener is told."""
    item = ActionItem.objects.select_for_update().select_related("resolution__item__meeting").get(pk=action_item.pk)
    meeting = item.resolution.item.meeting
    if not selectors.is_assignee(actor, item) and not permissions.manages(actor, meeting.community_id):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有任务的责任单位或责任人可以报告完成。"))
    if item.status != ActionItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ALREADY_DONE, _("该任务已经完成。"))
    note = required(note, _("请简要说明完成情况，例如：已张贴通知。"), "note")
    now = timezone.now()
    item.status = ActionItem.Status.DONE
    item.completed_at = now
    item.completed_by = actor_user(actor)
    item.completion_note = note
    item.save(update_fields=["status", "completed_at", "completed_by", "completion_note"])
    if item.case_id:
        cases.case_annotate(
            actor=actor,
            case=item.case,
            kind="action_item_done",
            note=cases.SystemNote(gettext_noop("任务“%(title)s”已完成：%(note)s"), {"title": item.title, "note": note}),
            data={"action_item": item.pk, "meeting": meeting.pk},
        )
    notify(
        recipients=[meeting.convener] if meeting.convener_id else [],
        title=_("任务已完成：%(title)s") % {"title": item.title},
        body=note,
        url=meeting_url(meeting),
        event=events.MEETING,
        exclude=actor_user(actor),
    )
    return item


@transaction.atomic
def action_items_remind_overdue(*, today: date | None = None) -> int:
    """Remind the assignees (and the convener) of every overdue open task, at most once a day per task."""
    today = today or timezone.localdate()
    reminded = 0
    for item in selectors.action_items_due_for_reminder(today):
        # Claim the task for today first: a second worker running at the same time claims nothing.
        claimed = (
            ActionItem.objects.filter(pk=item.pk, status=ActionItem.Status.OPEN)
            .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
            .update(last_reminded_on=today)
        )
        if not claimed:
            continue
        meeting = item.resolution.item.meeting
        recipients = users_of(
            people=[item.assignee_person_id] if item.assignee_person_id else [],
            organisations=[item.assignee_organisation_id] if item.assignee_organisation_id else [],
        )
        if meeting.convener_id:
            recipients.append(meeting.convener)
        notify(
            recipients=recipients,
            title=_("任务已超期：%(title)s") % {"title": item.title},
            body=_("期限 %(due)s，来自 %(meeting)s。完成后请在“我的任务”中报告。")
            % {"due": item.due_on.isoformat(), "meeting": meeting.title},
            url=reverse("deliberation:my-action-items"),
            event=events.MEETING,
        )
        reminded += 1
    return reminded
