"""Errors of projects: the same stable codes as deliberation (one vocabulary for the API)."""

from youlin.deliberation.errors import DeliberationError, ErrorCode

__all__ = ["ErrorCode", "ProjectError"]


class ProjectError(DeliberationError):
    pass
