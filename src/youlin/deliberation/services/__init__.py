"""Every write of a meeting, from convening to the public notice of its outcome, one module per stage:

    meetings:      meeting_create / meeting_create_from_case → meeting_invite → meeting_sign_in → agenda_item_add
                   → material_add → meeting_close (minutes); meeting_record_held (a project step held it)
    decisions:     proposal_add → vote_cast → decision_record (consensus, or the tally) → resolution
    action_items:  action_item_add → action_item_complete (written to the case's timeline); overdue reminders
    notices:       notice_publish → notice_respond (residents support or object during the notice period)

Each service checks the actor (``permissions``) and the stage, and refuses with a ``DeliberationError`` that
has a stable code and says what to do. Decisions and closing take the meeting's ``expected_version``.
"""

from youlin.deliberation.models import MeetingKind  # the kinds ``meeting_create`` takes
from youlin.deliberation.services.action_items import action_item_add, action_item_complete, action_items_remind_overdue
from youlin.deliberation.services.checks import meeting_url
from youlin.deliberation.services.decisions import decision_record, proposal_add, vote_cast
from youlin.deliberation.services.meetings import (
    DOCUMENT_EXTENSIONS,
    IMAGE_EXTENSIONS,
    MAX_DOCUMENT_BYTES,
    InvitationSpec,
    agenda_item_add,
    material_add,
    meeting_close,
    meeting_create,
    meeting_create_from_case,
    meeting_invite,
    meeting_record_held,
    meeting_sign_in,
)
from youlin.deliberation.services.notices import notice_publish, notice_respond
from youlin.parties.selectors import users_of

__all__ = [
    "DOCUMENT_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "MAX_DOCUMENT_BYTES",
    "InvitationSpec",
    "MeetingKind",
    "action_item_add",
    "action_item_complete",
    "action_items_remind_overdue",
    "agenda_item_add",
    "decision_record",
    "material_add",
    "meeting_close",
    "meeting_create",
    "meeting_create_from_case",
    "meeting_invite",
    "meeting_record_held",
    "meeting_sign_in",
    "meeting_url",
    "notice_publish",
    "notice_respond",
    "proposal_add",
    "users_of",
    "vote_cast",
]
