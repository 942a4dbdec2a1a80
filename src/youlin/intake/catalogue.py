"""The label space and its terms without a database: the shipped category list (GB/T 47678.5 and the local
extensions) joined with the term table. Training, ``make eval-intake`` and the tests without a database use it;
at run time ``selectors`` builds the same entries from the active categories of the database.
"""

from __future__ import annotations

from collections.abc import Iterable

from youlin.intake.data import dictionary_words, name_terms, shipped_terms
from youlin.intake.engine import Entry


def entry_terms(kind: str, code: str, name: str, table: dict, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """A category's terms: its name's, the term table's (a component shares its matter's) and any extra."""
    terms = list(name_terms(name))
    for key in ((kind, code), ("matter", code)):
        if key in table:
            terms.extend(table[key][0])
            break
    terms.extend(extra)
    return tuple(dict.fromkeys(t.strip() for t in terms if t and len(t.strip()) > 1))


def shipped_entries() -> list[Entry]:
    from youlin.cases.categories import category_rows

    table = shipped_terms()
    return [
        Entry(
            kind=row.kind,
            code=row.code,
            name=row.name,
            major_code=row.major_code,
            major=row.major,
            is_local=row.is_local,
            terms=entry_terms(row.kind, row.code, row.name, table),
        )
        for row in category_rows()
    ]


def training_dictionary(entries: Iterable[Entry] | None = None) -> list[str]:
    """The segmenter's words: the domain dictionary plus every category name and term."""
    words = set(dictionary_words())
    for entry in entries if entries is not None else shipped_entries():
        words.update(entry.terms)
    return sorted(w for w in words if len(w) > 1)
