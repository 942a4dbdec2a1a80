"""Errors of projects: a stable code for an API, a message that says what to do. The codes are those the other
stages of the loop use for the same refusals (``illegal_stage`` as in deliberation, ``conflict``, …)."""

from __future__ import annotations

from enum import StrEnum

from youlin.domain.errors import DomainError


class ProjectErrorCode(StrEnum):
    ILLEGAL_STAGE = "illegal_stage"
    CONFLICT = "conflict"
    PERMISSION_DENIED = "permission_denied"
    ALREADY_DONE = "already_done"
    INVALID_INPUT = "invalid_input"


ErrorCode = ProjectErrorCode


class ProjectError(DomainError):
    codes = ProjectErrorCode
