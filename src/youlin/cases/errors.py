"""Errors of the case loop: a stable code for the API, a message in the reader's language that says what to do."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from youlin.domain.errors import DomainError


class CaseErrorCode(StrEnum):
    ILLEGAL_TRANSITION = "illegal_transition"
    CONFLICT = "conflict"
    PERMISSION_DENIED = "permission_denied"
    OUTSIDE_JURISDICTION = "outside_jurisdiction"
    INVALID_INPUT = "invalid_input"
    WINDOW_CLOSED = "window_closed"
    ALREADY_DONE = "already_done"
    NOT_FOUND = "not_found"


class CaseError(DomainError):
    codes = CaseErrorCode


def illegal_transition(status_label, action_label) -> CaseError:
    return CaseError(
        CaseErrorCode.ILLEGAL_TRANSITION,
        _("案件当前状态为“%(status)s”，不能%(action)s。请刷新页面查看最新进展。")
        % {"status": status_label, "action": action_label},
    )


def conflict() -> CaseError:
    return CaseError(CaseErrorCode.CONFLICT, _("案件刚刚被其他人更新过，请刷新页面查看最新进展后再操作。"))


def permission_denied(action_label) -> CaseError:
    return CaseError(
        CaseErrorCode.PERMISSION_DENIED,
        _("您没有权限%(action)s此案件。如需办理，请联系社区工作人员。") % {"action": action_label},
    )


def outside_jurisdiction() -> CaseError:
    return CaseError(CaseErrorCode.OUTSIDE_JURISDICTION, _("此案件不在您的辖区内。请确认社区，或转交所属社区办理。"))


def invalid(message, *, field: str | None = None) -> CaseError:
    return CaseError(CaseErrorCode.INVALID_INPUT, message, field=field)
