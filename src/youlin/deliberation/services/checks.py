"""What every stage of a meeting checks before it writes: who manages the meeting, whether it is still open,
the meeting's version (compare-and-swap), and the link to its page for notifications."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from youlin.deliberation import permissions
from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import Meeting
from youlin.domain.writes import required_text, row_at_version, update_at_version


def invalid(message, field: str | None = None) -> DeliberationError:
    return DeliberationError.invalid(message, field=field)


def required(value: str, message, field: str) -> str:
    return required_text(value, message, field=field, error=DeliberationError)


def require_manager(actor, meeting: Meeting) -> None:
    if not permissions.manages(actor, meeting.community_id):
        raise DeliberationError(
            ErrorCode.PERMISSION_DENIED, _("只有社区工作人员或街道工作人员可以办理此事项。如需办理，请联系社区。")
        )


def require_open(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.SCHEDULED:
        raise DeliberationError(
            ErrorCode.ILLEGAL_STAGE,
            _("会议当前状态为“%(status)s”，不能再签到、提出方案、表决或作出决定。如需继续议事，请召开新的会议。")
            % {"status": meeting.get_status_display()},
        )


def conflict() -> DeliberationError:
    return DeliberationError.conflict(_("会议刚刚被其他人更新过，请刷新页面查看最新情况后再操作。"))


def fresh(meeting_id: int, expected_version: int) -> Meeting:
    """The meeting as stored now; a stale ``expected_version`` is a conflict before any other check."""
    return row_at_version(
        Meeting.objects.select_related("community"),
        pk=meeting_id,
        expected_version=expected_version,
        conflict=conflict,
    )


def bump(meeting: Meeting, expected_version: int, **fields) -> None:
    """The meeting changes only if nobody changed it since the page was loaded."""
    update_at_version(Meeting, pk=meeting.pk, expected_version=expected_version, conflict=conflict, **fields)
    meeting.refresh_from_db()


def meeting_url(meeting: Meeting) -> str:
    return reverse("deliberation:detail", args=[meeting.pk])
