"""Notes the system writes on a timeline (a meeting's resolution, a finished action item, an escalation, a
project's acceptance): kept as their untranslated text and values, shown in the reader's language.

The note column keeps the Chinese sentence (for search and exports); the event's data keeps the msgid and values
under ``system_note``, from which a page or the API writes it again in the language of whoever reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext

DATA_KEY = "system_note"


@dataclass(frozen=True)
class SystemNote:
    """A sentence the system composes: mark the msgid with ``gettext_noop`` where it is written."""

    msgid: str
    values: dict = field(default_factory=dict)

    def render(self, language: str | None = None) -> str:
        if language is None:
            return _format(gettext(self.msgid), self.values, self.msgid)
        with translation.override(language):
            return _format(gettext(self.msgid), self.values, self.msgid)

    def stored(self) -> str:
        """The note column's text: the Chinese sentence (Chinese is the msgid language)."""
        return self.render("zh-hans")

    def as_data(self) -> dict:
        return {DATA_KEY: {"msgid": self.msgid, "values": {k: str(v) for k, v in self.values.items()}}}


def _format(text: str, values: dict, msgid: str) -> str:
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the original is safe
        return msgid % values if values else msgid


def split(note) -> tuple[str, dict]:
    """(text for the note column, data to merge into the event's data) for a note that may be a ``SystemNote``."""
    if isinstance(note, SystemNote):
        return note.stored(), note.as_data()
    return str(note or ""), {}


def display(note: str, data: dict | None) -> str:
    """An event's note in the active language: a system note is written again; a person's words stay theirs."""
    stored = (data or {}).get(DATA_KEY)
    if isinstance(stored, dict) and isinstance(stored.get("msgid"), str):
        return SystemNote(stored["msgid"], dict(stored.get("values") or {})).render()
    return note
