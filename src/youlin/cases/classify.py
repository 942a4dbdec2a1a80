"""Which category a 12345 work order is, from the hotline's own classification (诉求类型) and its content
(诉求内容), with how sure the guess is.

One hook: ``register(fn)`` puts a better classifier in force (the intake app's, trained on corrections); without
one, ``default_classifier`` matches the texts against category names and a short synonym list, and answers a low
confidence when it only has a hint. A work order classified below ``YOULIN_INTAKE_MIN_CONFIDENCE`` waits for
staff (待分拣) instead of being dispatched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from youlin.cases.models import Category

UNCLASSIFIED_CODE = "10099"  # 其他诉求（待分类）: a local extension for what nobody has classified yet

# Words residents and the hotline use → the category code they usually mean (matters).
SYNONYMS: dict[str, str] = {
    "楼道堆物": "06080",
    "楼道杂物": "06080",
    "堆物": "06036",
    "乱堆": "06036",
    "垃圾": "06010",
    "小广告": "07001",
    "野广告": "07001",
    "占道经营": "09006",
    "摆摊": "09006",
    "乱停": "09010",
    "共享单车": "09010",
    "晾晒": "06007",
    "晾衣": "06007",
    "飞线充电": "10080",
    "电动车充电": "10080",
    "电动自行车充电": "10080",
    "井盖": "01001",
    "路灯": "01037",
    "地砖": "06081",
    "树坑": "04080",
    "物业": "10082",
}

HOTLINE_EXACT, HOTLINE_NAME, HOTLINE_SYNONYM, CONTENT_NAME, CONTENT_SYNONYM = 0.95, 0.85, 0.7, 0.65, 0.45


@dataclass(frozen=True)
class Classification:
    category: Category | None
    confidence: float  # 0 … 1


Classifier = Callable[[str, str], Classification]
_registered: list[Callable[[], Classifier]] = []


def register(factory: Callable[[], Classifier]) -> None:
    """Put a classifier in force: ``factory()`` is called once per import and returns ``fn(hotline_category,
    content) -> Classification``. The latest registration wins."""
    _registered.append(factory)


def unregister(factory: Callable[[], Classifier]) -> None:
    if factory in _registered:
        _registered.remove(factory)


def classifier() -> Classifier:
    """The classifier in force, ready for many calls."""
    return _registered[-1]() if _registered else default_classifier()


def threshold() -> float:
    return float(settings.YOULIN_INTAKE_MIN_CONFIDENCE)


def unclassified() -> Category:
    return Category.objects.get(kind=Category.Kind.MATTER, code=UNCLASSIFIED_CODE)


_SEPARATORS = re.compile(r"[-—/\\>|｜、，,·\s]+")


def default_classifier() -> Classifier:
    """Names and synonyms, longest first; two queries, then pure Python per call."""
    active = list(Category.objects.filter(is_active=True).exclude(code=UNCLASSIFIED_CODE).order_by("-kind", "code"))
    by_name: dict[str, Category] = {}
    for c in active:  # a matter wins over a component of the same name ("-kind": matter first)
        by_name.setdefault(c.name, c)
    names = sorted((n for n in by_name if len(n) >= 2), key=len, reverse=True)
    by_code = {c.code: c for c in reversed(active)}  # matters win
    synonyms = sorted(((w, by_code[code]) for w, code in SYNONYMS.items() if code in by_code), key=lambda x: -len(x[0]))

    def longest_name(text: str) -> Category | None:
        return next((by_name[n] for n in names if n in text), None)

    def synonym(text: str) -> Category | None:
        return next((c for w, c in synonyms if w in text), None)

    def classify(hotline_category: str, content: str) -> Classification:
        hotline_category, content = hotline_category or "", content or ""
        if hotline_category:
            parts = [p for p in _SEPARATORS.split(hotline_category) if p]
            for part in reversed(parts):  # the most specific level comes last ("城乡建设-市容环卫-乱堆杂物")
                if part in by_name:
                    return Classification(by_name[part], HOTLINE_EXACT)
            if found := longest_name(hotline_category):
                return Classification(found, HOTLINE_NAME)
            if found := synonym(hotline_category):
                return Classification(found, HOTLINE_SYNONYM)
        if found := longest_name(content):
            return Classification(found, CONTENT_NAME)
        if found := synonym(content):
            return Classification(found, CONTENT_SYNONYM)
        return Classification(None, 0.0)

    return classify
