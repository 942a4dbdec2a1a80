"""Errors of phone confirmation: a stable code for an API, a message that says what to do."""

from __future__ import annotations

from enum import StrEnum

from youlin.domain.errors import DomainError


class ErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    RATE_LIMITED = "rate_limited"
    CODE_EXPIRED = "code_expired"
    CODE_WRONG = "code_wrong"
    TOO_MANY_ATTEMPTS = "too_many_attempts"


class VerificationError(DomainError):
    codes = ErrorCode
