"""Refusals of the job machinery: a stable code and a message that says what to do."""

from __future__ import annotations

from enum import StrEnum

from youlin.domain.errors import DomainError


class JobErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    PERMISSION_DENIED = "permission_denied"
    ILLEGAL_TRANSITION = "illegal_transition"
    CONFLICT = "conflict"


class JobError(DomainError):
    codes = JobErrorCode
