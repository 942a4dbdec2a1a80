"""Errors of deliberation: a stable code for an API, a message that says what to do."""

from __future__ import annotations

from enum import StrEnum

from youlin.domain.errors import DomainError


class ErrorCode(StrEnum):
    ILLEGAL_STAGE = "illegal_stage"
    CONFLICT = "conflict"
    PERMISSION_DENIED = "permission_denied"
    NO_VOTING_RIGHT = "no_voting_right"
    NO_QUORUM = "no_quorum"
    TIE = "tie"
    NOTICE_CLOSED = "notice_closed"
    ALREADY_DONE = "already_done"
    INVALID_INPUT = "invalid_input"


DeliberationErrorCode = ErrorCode


class DeliberationError(DomainError):
    codes = ErrorCode
