"""Errors of ledgers and community work: a stable code for an API, a message that says what to do."""

from __future__ import annotations

from enum import StrEnum


class LedgerErrorCode(StrEnum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_INPUT = "invalid_input"
    ILLEGAL_TRANSITION = "illegal_transition"
    UNKNOWN_PLACE = "unknown_place"
    OUTSIDE_COMMUNITY = "outside_community"
    ALREADY_DONE = "already_done"
    IMPORT_REFUSED = "import_refused"


class LedgerError(Exception):
    def __init__(self, code: LedgerErrorCode, message, *, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"LedgerError({self.code!s}, {self.message!s})"
