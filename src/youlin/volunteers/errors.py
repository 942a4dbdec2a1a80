"""Errors of volunteer work: a stable code for an API, a message that says what to do."""

from __future__ import annotations

from enum import StrEnum

from youlin.domain.errors import DomainError


class VolunteerErrorCode(StrEnum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_INPUT = "invalid_input"
    FULL = "full"
    ILLEGAL_TRANSITION = "illegal_transition"
    ALREADY_DONE = "already_done"


class VolunteerError(DomainError):
    codes = VolunteerErrorCode
