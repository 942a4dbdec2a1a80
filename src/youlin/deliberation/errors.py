"""Errors of deliberation and projects: a stable code for an API, a message that says what to do."""

from __future__ import annotations

from enum import StrEnum


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


class DeliberationError(Exception):
    def __init__(self, code: ErrorCode, message, *, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!s}, {self.message!s})"
