"""One base for every refusal a service makes: a stable ``code`` (for the API and Open311), a ``message`` for
the person that says what was wrong and what to do (in their language) and, when the refusal is about one input,
its ``field``.

Each app's error derives from ``DomainError`` and keeps its own code vocabulary (a ``StrEnum`` named in
``codes``); ``api/errors.py``, the Open311 views and ``pages.show_error`` translate this one base.
"""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    codes: type[StrEnum] | None = None  # the app's vocabulary; the shortcuts below pick their code from it

    def __init__(self, code: str, message, *, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!s}, {self.message!s})"

    @classmethod
    def _code(cls, value: str) -> str:
        return cls.codes(value) if cls.codes is not None else value

    @classmethod
    def invalid(cls, message, *, field: str | None = None) -> DomainError:
        """Bad input (``invalid_input``), on ``field`` when it names one."""
        return cls(cls._code("invalid_input"), message, field=field)

    @classmethod
    def denied(cls, message) -> DomainError:
        """Not this person's to do (``permission_denied``)."""
        return cls(cls._code("permission_denied"), message)

    @classmethod
    def conflict(cls, message) -> DomainError:
        """Someone else changed the row since the page was loaded (``conflict``)."""
        return cls(cls._code("conflict"), message)
