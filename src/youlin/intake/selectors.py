"""Reads of smart intake: category suggestions for a text (and, with a location, who would get the case),
batches for the hotline import, and the search terms of the category picker.

The label space is the active categories of the database (local extensions and sub-district edits included);
the engine built over them is cached per process and rebuilt when the categories or the model file change.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from youlin.intake.catalogue import entry_terms, training_dictionary
from youlin.intake.data import shipped_terms
from youlin.intake.engine import Engine, Entry, Suggestion
from youlin.intake.model import Model

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 30.0  # how often another process's category edits are looked for
MAX_TOP = 10

_lock = threading.Lock()
_state: dict = {}
_warned: set[str] = set()


def model_path() -> Path:
    return Path(settings.YOULIN_INTAKE_MODEL)


def min_confidence() -> float:
    return float(settings.YOULIN_INTAKE_MIN_CONFIDENCE)


def forget_engine(**_kwargs) -> None:
    """Drop the cached engine and parties (a category changed); the next suggestion rebuilds them."""
    with _lock:
        _state.clear()
        _party_cache.clear()


def _category_rows() -> list[tuple]:
    """The label space: the active categories, less the placeholder for what is not classified yet (a
    suggestion of "unclassified" helps nobody)."""
    from youlin.cases.classify import UNCLASSIFIED_CODE
    from youlin.cases.models import Category

    return list(
        Category.objects.filter(is_active=True)
        .exclude(code=UNCLASSIFIED_CODE)
        .order_by("kind", "code")
        .values_list("pk", "kind", "code", "name", "major_code", "major", "is_local")
    )


def entries_from(rows: Sequence[tuple]) -> list[Entry]:
    table = shipped_terms()
    return [
        Entry(
            kind=kind,
            code=code,
            name=name,
            major_code=major_code,
            major=major,
            pk=pk,
            is_local=is_local,
            terms=entry_terms(kind, code, name, table),
        )
        for pk, kind, code, name, major_code, major, is_local in rows
    ]


def load_model(path: Path) -> Model | None:
    """The model at ``path``, or ``None`` (logged once) when it is missing or unreadable."""
    try:
        return Model.load(path)
    except FileNotFoundError:
        reason = "no model file"
    except (OSError, ValueError, KeyError) as exc:
        reason = f"unreadable model file ({exc})"
    if str(path) not in _warned:
        _warned.add(str(path))
        logger.warning(
            "intake: %s at %s; suggestions use the term table only. Build it with `make` or `youlin intake build`.",
            reason,
            path,
        )
    return None


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def engine() -> Engine:
    """The engine over the active categories and the current model file (cached)."""
    path = model_path()
    mtime = _mtime(path)
    now = time.monotonic()
    state = _state
    if state and state["path"] == path and state["mtime"] == mtime and now - state["checked"] < RECHECK_SECONDS:
        return state["engine"]
    rows = _category_rows()
    with _lock:
        if _state and _state["path"] == path and _state["mtime"] == mtime and _state["rows"] == rows:
            _state["checked"] = now
            return _state["engine"]
        model = load_model(path)
        entries = entries_from(rows)
        built = Engine(entries, model, training_dictionary(entries) if model is None else ())
        _state.clear()
        _state.update(path=path, mtime=mtime, rows=rows, engine=built, checked=now, search=None)
        return built


# ---------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Party:
    """Who would get the case: the organisations the routing rules choose for this category at this place."""

    organisations: tuple[tuple[int, str], ...]
    duty: str
    duty_label: str
    joint: bool
    fallback: bool

    @property
    def names(self) -> str:
        return "、".join(name for _pk, name in self.organisations)

    def as_dict(self) -> dict:
        return {
            "organisations": [{"id": pk, "name": name} for pk, name in self.organisations],
            "names": self.names,
            "duty": self.duty,
            "duty_label": self.duty_label,
            "joint": self.joint,
            "fallback": self.fallback,
        }


@dataclass(frozen=True)
class Suggested:
    """One suggested category and, with a location, the party it would go to."""

    suggestion: Suggestion
    party: Party | None = None

    def as_dict(self) -> dict:
        s = self.suggestion
        return {
            "category_id": s.category_id,
            "kind": s.kind,
            "code": s.code,
            "name": s.name,
            "score": s.score,
            "reason": list(s.reason),
            "party": self.party.as_dict() if self.party else None,
        }


@dataclass(frozen=True)
class SuggestionResult:
    suggestions: list[Suggested] = field(default_factory=list)
    place: str = ""  # the located place's label, when a location was given and found
    place_error: str = ""  # why the location gave no party (outside every community, bad coordinates)

    @property
    def party(self) -> Party | None:
        return self.suggestions[0].party if self.suggestions else None

    @property
    def confident(self) -> bool:
        return bool(self.suggestions) and self.suggestions[0].suggestion.score >= min_confidence()

    def as_dict(self) -> dict:
        return {
            "suggestions": [s.as_dict() for s in self.suggestions],
            "party": self.party.as_dict() if self.party else None,
            "place": self.place,
            "place_error": self.place_error,
            "confident": self.confident,
        }


def _party(category, location) -> Party:
    from youlin.cases.selectors import route
    from youlin.parties.models import Responsibility

    routing = route(category=category, location=location)
    labels = dict(Responsibility.Duty.choices)
    return Party(
        organisations=tuple((o.pk, o.name) for o in routing.organisations),
        duty=routing.duty,
        duty_label=str(labels.get(routing.duty, routing.duty)),
        joint=routing.is_joint,
        fallback=routing.fallback,
    )


PARTY_CACHE_SECONDS = 60.0
_PARTY_CACHE_SIZE = 1024
_party_cache: OrderedDict = OrderedDict()


def _cached_party(key):
    hit = _party_cache.get(key)
    if hit is None or hit[0] < time.monotonic():
        return None
    _party_cache.move_to_end(key)
    return hit[1], hit[2]


def _remember_party(key, party: Party, place: str) -> None:
    _party_cache[key] = (time.monotonic() + PARTY_CACHE_SECONDS, party, place)
    while len(_party_cache) > _PARTY_CACHE_SIZE:
        _party_cache.popitem(last=False)


def _in_language(found: list[Suggestion]) -> list[Suggestion]:
    """Suggestions named in the active language (the engine knows the standard's Chinese names): one query, and
    only in the English interface."""
    from django.utils.translation import get_language

    if not found or not (get_language() or "").startswith("en"):
        return found
    from youlin.cases.models import Category

    english = dict(
        Category.objects.filter(pk__in=[s.category_id for s in found if s.category_id]).values_list("pk", "name_en")
    )
    return [dataclasses.replace(s, name=english.get(s.category_id) or s.name) for s in found]


def suggest(
    text: str,
    *,
    lon: float | None = None,
    lat: float | None = None,
    top: int = 3,
    crs: str = "wgs84",
    parties: str = "first",
) -> SuggestionResult:
    """The top categories for a complaint's text; with a point, the party the first suggestion (``parties=
    "all"``: each) would be routed to. Routing a point costs a dozen queries, so parties are kept a minute
    per point and category: a form asking again while the description is typed pays once.

    Never raises on the text: empty, punctuation only, very long, mixed English, traditional characters and
    emoji give suggestions or none. A point outside every community gives suggestions without parties.
    """
    top = max(1, min(int(top or 3), MAX_TOP))
    found = _in_language(engine().suggest(text if isinstance(text, str) else "", top=top))
    if not found or lon is None or lat is None:
        return SuggestionResult([Suggested(s) for s in found])
    from youlin.cases.models import Category
    from youlin.places.geo import GeometryError
    from youlin.places.selectors import locate

    wanted = found if parties == "all" else found[:1]
    routed: dict[int, Party] = {}
    place = ""
    location = None
    for s in wanted:
        if s.category_id is None:
            continue
        key = (round(float(lon), 7), round(float(lat), 7), crs, s.category_id)
        hit = _cached_party(key)
        if hit is None:
            if location is None:
                try:
                    location = locate(lon, lat, crs=crs)
                except GeometryError as exc:
                    return SuggestionResult([Suggested(x) for x in found], place_error=str(exc.message))
            # Routing reads the category's id, code and major class only: no need to fetch the row.
            category = Category(pk=s.category_id, kind=s.kind, code=s.code, major_code=s.code[:2], name=s.name)
            hit = (_party(category, location), location.label)
            _remember_party(key, *hit)
        routed[s.category_id], place = hit
    return SuggestionResult([Suggested(s, routed.get(s.category_id)) for s in found], place=place)


def suggest_many(texts: Sequence[str], *, top: int = 3) -> list[list[Suggestion]]:
    """Suggestions for many texts at once (the hotline import): no location, no query per text."""
    built = engine()
    top = max(1, min(int(top or 3), MAX_TOP))
    return [built.suggest(t if isinstance(t, str) else "", top=top) for t in texts]


def needs_triage(suggestions: Sequence[Suggestion]) -> bool:
    """Whether an imported work order should wait in the triage queue rather than be dispatched: no
    suggestion, or the first is below ``YOULIN_INTAKE_MIN_CONFIDENCE``."""
    return not suggestions or suggestions[0].score < min_confidence()


# ---------------------------------------------------------------- the category picker


def _initials(text: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    full = lazy_pinyin(text, style=Style.NORMAL, errors="ignore")
    return "".join(letters).lower(), "".join(full).lower()


def category_search_terms() -> dict[int, dict]:
    """Per active category id: its code, name, terms (synonyms and everyday words) and their pinyin, full and
    by initials, so a picker filters on 积水, 下水道堵了 or ``jsdx``. Cached with the engine."""
    built = engine()
    cached = _state.get("search")
    if cached is not None and _state.get("engine") is built:
        return cached
    from youlin.intake.engine import MATTER

    matter_terms = {e.code: e.terms for e in built.entries if e.kind == MATTER}
    own_terms = {e.pk: e.terms for e in built.entries}
    out: dict[int, dict] = {}
    for pk, kind, code, name, _major_code, _major, _local in _state.get("rows") or _category_rows():
        # A component is searched by its matter's terms (路灯 finds 路灯 and 路灯异常 alike).
        terms = list(dict.fromkeys([name, *(own_terms.get(pk) or matter_terms.get(code, ()))]))
        initials, full = zip(*(_initials(t) for t in terms), strict=True) if terms else ((), ())
        out[pk] = {
            "code": code,
            "kind": kind,
            "name": name,
            "terms": terms,
            "initials": sorted({i for i in initials if i}),
            "pinyin": sorted({f for f in full if f}),
        }
    with _lock:
        if _state.get("engine") is built:
            _state["search"] = out
    return out


def category_search_text() -> dict[int, str]:
    """Per active category id, one lower-case string to match a typed filter against (an option's
    ``data-search``): code, name, terms, pinyin and initials."""
    return {
        pk: " ".join([v["code"], *v["terms"], *v["pinyin"], *v["initials"]]).lower()
        for pk, v in category_search_terms().items()
    }
