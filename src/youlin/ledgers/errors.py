"""Errors of ledgers and community work: a stable code for an API, a message that says what to do."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import ngettext

from youlin.domain.errors import DomainError
from youlin.domain.tabular import FileRefused, RowError


class LedgerErrorCode(StrEnum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_INPUT = "invalid_input"
    ILLEGAL_TRANSITION = "illegal_transition"
    UNKNOWN_PLACE = "unknown_place"
    OUTSIDE_COMMUNITY = "outside_community"
    ALREADY_DONE = "already_done"
    IMPORT_REFUSED = "import_refused"


class LedgerError(DomainError):
    codes = LedgerErrorCode


class LedgerImportError(FileRefused, LedgerError):
    """The file was refused; ``errors`` lists every problem. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        count = len(errors)
        message = ngettext(
            "文件中有 %(count)d 处问题，未导入任何条目。请按清单逐行改正后重新上传。",
            "文件中有 %(count)d 处问题，未导入任何条目。请按清单逐行改正后重新上传。",
            count,
        ) % {"count": count}
        super().__init__(LedgerErrorCode.IMPORT_REFUSED, message, errors)
