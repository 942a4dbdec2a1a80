"""The suggestion engine: the classifier's probabilities combined with the term table, over a label space of
categories given by the caller (the active categories of the database, or the shipped list for evaluation).

Pure Python, no Django: ``selectors`` builds an ``Engine`` from the database and caches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from youlin.intake.model import Model
from youlin.intake.text import FeatureIndices, features, has_content, normalise, segmenter

MATTER = "matter"
COMPONENT = "component"
# Weight of the term table against the classifier (cross-validated on the training slice, docs/intake.md).
ALPHA = 0.2
# When even the best category scores below this, the text says nothing (the classifier's spread over ~200
# labels): no suggestion is made.
MIN_SCORE = 0.02
# A term shared by many categories says little: its weight is divided by how many categories carry it.
_LENGTH_FACTOR = {2: 0.7, 3: 0.85}
# Rows of a batch computed together (``suggest_many``).
BATCH_ROWS = 512


@dataclass(frozen=True)
class Entry:
    """One category of the label space and the terms it is found by."""

    kind: str
    code: str
    name: str
    major_code: str = ""
    major: str = ""
    pk: int | None = None
    is_local: bool = False
    terms: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.code}"


@dataclass(frozen=True)
class Suggestion:
    kind: str
    code: str
    name: str
    score: float
    reason: tuple[str, ...]
    category_id: int | None = None


class Engine:
    def __init__(self, entries: Sequence[Entry], model: Model | None, dictionary: Iterable[str] = ()):
        entries = list(entries)
        matter_codes = {e.code for e in entries if e.kind == MATTER}
        # A component and the matter of the same code are one problem: suggest the matter, and the component
        # only where its matter is not in use.
        self.entries = [e for e in entries if e.kind == MATTER or e.code not in matter_codes]
        self.model = model
        index = {e.label: i for i, e in enumerate(self.entries)}
        by_code = {e.code: i for i, e in enumerate(self.entries)}
        # Model label → entry (a matter label falls back to the component of the same code).
        self._model_rows: list[int] = []
        self._model_cols: list[int] = []
        if model is not None:
            for col, label in enumerate(model.labels):
                row = index.get(label)
                if row is None:
                    row = by_code.get(label.split(":", 1)[1])
                if row is not None:
                    self._model_rows.append(row)
                    self._model_cols.append(col)
        self._model_rows_arr = np.array(self._model_rows, dtype=np.int64)
        self._model_cols_arr = np.array(self._model_cols, dtype=np.int64)
        self._model_rows_unique = len(set(self._model_rows)) == len(self._model_rows)
        # Term table: term → entries; weight by specificity and length.
        carriers: dict[str, set[int]] = {}
        for i, e in enumerate(self.entries):
            for term in e.terms:
                term = normalise(term)
                if len(term) > 1:
                    carriers.setdefault(term, set()).add(i)
        self._term_entries = {t: sorted(s) for t, s in carriers.items()}
        self._term_weight = {t: _LENGTH_FACTOR.get(len(t), 1.0) / len(s) ** 0.5 for t, s in carriers.items()}
        self._by_first: dict[str, list[str]] = {}
        for t in sorted(carriers, key=len, reverse=True):
            self._by_first.setdefault(t[0], []).append(t)
        # The model's features come from the dictionary it was trained with, exactly.
        self.segmenter = segmenter(model.dictionary if model is not None else set(dictionary) | set(carriers))

    # ------------------------------------------------------------ terms

    def matched_terms(self, text: str) -> list[str]:
        """Terms of the table found in the (normalised) text, longest match wins where they overlap."""
        # At each position only the longest term starting there can survive: a shorter one starting there lies
        # inside it, or inside whatever longer term swallows it. ``_by_first`` lists the longest first.
        by_first = self._by_first
        spans: list[tuple[int, int, str]] = []
        for start, ch in enumerate(text):
            terms = by_first.get(ch)
            if terms is not None:
                for term in terms:
                    if text.startswith(term, start):
                        spans.append((start, start + len(term), term))
                        break
        kept: list[tuple[int, int, str]] = []
        for start, end, term in spans:
            if any(
                k_start <= start and end <= k_end and (k_end - k_start) > (end - start) for k_start, k_end, _ in kept
            ):
                continue
            kept.append((start, end, term))
        return list(dict.fromkeys(term for _s, _e, term in kept))

    def term_scores(self, terms: Sequence[str]) -> tuple[np.ndarray, dict[int, list[str]]]:
        # The products in Python floats (the same IEEE doubles as numpy's float64, in the same order), then
        # one array: an entry no term names scores 1.0 - 1.0, i.e. 0.0.
        miss: dict[int, float] = {}
        reasons: dict[int, list[str]] = {}
        for term in terms:
            keep = 1.0 - self._term_weight[term]
            for i in self._term_entries[term]:
                miss[i] = miss.get(i, 1.0) * keep
                reasons.setdefault(i, []).append(term)
        scores = np.zeros(len(self.entries), dtype=np.float64)
        if miss:
            scores[list(miss)] = [1.0 - m for m in miss.values()]
        return scores, reasons

    # ------------------------------------------------------------ suggestions

    def _read(
        self, text: str, indices: FeatureIndices | None = None
    ) -> tuple[np.ndarray, dict[int, list[str]], tuple] | None:
        """One text's term scores, matched terms per entry and the model's vector (what ``scores`` and
        ``suggest_many`` start from); ``None`` when it holds nothing to classify. ``indices``: a batch's
        memo of its texts' runs, for the same vector."""
        text = normalise(text)
        if not has_content(text) or not self.entries:
            return None
        terms = self.matched_terms(text)
        kw, reasons = self.term_scores(terms)
        vector = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))
        if self.model is not None:
            if indices is None:
                vector = self.model.vector(features(text, self.segmenter))
            else:
                vector = self.model.vector_of(indices(text))
        if not terms and not len(vector[0]):
            return None
        return kw, reasons, vector

    def scores(self, text: str) -> tuple[np.ndarray, dict[int, list[str]], tuple] | None:
        """Combined scores over the entries, the matched terms per entry, and the model's vector; ``None`` when
        the text holds nothing to classify (empty, punctuation, no known word)."""
        read = self._read(text)
        if read is None:
            return None
        kw, reasons, vector = read
        if self.model is None or not len(self._model_rows):
            return kw, reasons, vector
        p = np.zeros(len(self.entries), dtype=np.float64)
        probabilities = self.model.probabilities(*vector)
        np.add.at(p, self._model_rows_arr, probabilities[self._model_cols_arr])
        total = p.sum()
        if total > 0:
            p /= total  # mass of labels no longer in use goes to the rest
        return (1.0 - ALPHA) * p + ALPHA * kw, reasons, vector

    def suggest_many(self, texts: Sequence[str], top: int = 3) -> list[list[Suggestion]]:
        """``[self.suggest(t, top) for t in texts]``, with the same answers, for a batch (the hotline import):
        the words and terms of each text are found as one by one (each run of its words once per batch:
        ``FeatureIndices``), the rest is computed for many rows at once — each row with the same operations in
        the same order as ``scores`` (so the same floats)."""
        out: list[list[Suggestion]] = [[] for _ in texts]
        rows: list[int] = []
        reasons_of: list[dict[int, list[str]]] = []
        kw_of: list[np.ndarray] = []
        vectors: list[tuple] = []
        indices = FeatureIndices(self.segmenter, self.model.vocabulary) if self.model is not None else None
        for n, text in enumerate(texts):
            read = self._read(text, indices)
            if read is None:
                continue
            kw, reasons, vector = read
            rows.append(n)
            reasons_of.append(reasons)
            kw_of.append(kw)
            vectors.append(vector)
        if not rows:
            return out
        top = max(1, min(int(top), len(self.entries)))
        # In slices of rows: every step is row by row, and a slice's arrays stay in the cache.
        for s in range(0, len(rows), BATCH_ROWS):
            part = slice(s, s + BATCH_ROWS)
            combined = self._combined(np.vstack(kw_of[part]), vectors[part])
            if top == 1 and not np.isnan(combined).any():
                orders = np.argmax(combined, axis=1)[:, None]  # the first of the highest: the stable sort's first
            else:
                orders = np.argsort(-combined, axis=1, kind="stable")[:, :top]
            for k, n in enumerate(rows[part]):
                out[n] = self._suggestions(combined[k], orders[k], reasons_of[s + k], vectors[s + k])
        return out

    def _combined(self, kw: np.ndarray, vectors: list[tuple]) -> np.ndarray:
        """``scores``'s combined scores for rows of term scores and vectors, each row as ``scores`` computes it."""
        if self.model is None or not len(self._model_rows):
            return kw
        model = self.model
        logits = np.vstack(
            [model.intercept + (values @ model.coef[idx] if len(idx) else 0.0) for idx, values in vectors]
        )
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        p = np.zeros((len(vectors), len(self.entries)), dtype=np.float64)
        if self._model_rows_unique:  # each entry takes one label: 0.0 + x is x, as ``np.add.at`` adds it
            p[:, self._model_rows_arr] = probabilities[:, self._model_cols_arr]
        else:
            np.add.at(p, (slice(None), self._model_rows_arr), probabilities[:, self._model_cols_arr])
        total = p.sum(axis=1)
        positive = total > 0
        p[positive] /= total[positive, None]  # mass of labels no longer in use goes to the rest
        return (1.0 - ALPHA) * p + ALPHA * kw

    def suggest(self, text: str, top: int = 3) -> list[Suggestion]:
        found = self.scores(text)
        if found is None:
            return []
        combined, reasons, vector = found
        top = max(1, min(int(top), len(self.entries)))
        order = np.argsort(-combined, kind="stable")[:top]
        return self._suggestions(combined, order, reasons, vector)

    def _suggestions(self, combined: np.ndarray, order: np.ndarray, reasons, vector) -> list[Suggestion]:
        if float(combined[order[0]]) < MIN_SCORE:
            return []
        out = []
        for i in order:
            score = float(combined[i])
            if score <= 0:
                break
            entry = self.entries[int(i)]
            reason = reasons.get(int(i), [])[:3]
            if not reason and self.model is not None:
                try:
                    col = self._model_cols[self._model_rows.index(int(i))]
                    reason = self.model.top_words(*vector, col)
                except ValueError:
                    reason = []
            out.append(
                Suggestion(
                    kind=entry.kind,
                    code=entry.code,
                    name=entry.name,
                    score=round(score, 4),
                    reason=tuple(reason),
                    category_id=entry.pk,
                )
            )
        return out
