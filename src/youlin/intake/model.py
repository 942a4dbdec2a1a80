"""The classifier: TF-IDF over words and character n-grams and a linear support-vector machine (scikit-learn's
LinearSVC, one-vs-rest) at training time; plain numpy at run time, where the margins become scores through a
softmax (the temperature is folded into the stored weights).

The artefact is one ``.npz`` file (no pickle): labels, vocabulary, idf, weights, the segmenter's dictionary and
a JSON header. Loading it needs numpy only, so a web worker never imports scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from youlin.intake.data import Example
from youlin.intake.text import features, normalise, segmenter

FORMAT = 1
# Regularisation, softmax temperature and vocabulary cut-off, chosen by five-fold cross-validation on the
# training slice (docs/intake.md).
DEFAULT_C = 1.0
TEMPERATURE = 5.0
MIN_DF = 2


_TF = [0.0, *(1.0 + math.log(c) for c in range(1, 64))]


def _tf(count: int) -> float:
    return _TF[count] if count < 64 else 1.0 + math.log(count)


def _identity(doc):
    return doc


@dataclass
class Model:
    labels: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # (n_features, n_labels), float32
    intercept: np.ndarray  # (n_labels,)
    dictionary: list[str]
    meta: dict = field(default_factory=dict)

    # ------------------------------------------------------------ run time

    def vector(self, feats: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, tf-idf values), l2-normalised, as scikit-learn's TfidfVectorizer(sublinear_tf)."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for f in feats:
            i = vocabulary.get(f)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        values = tf * self.idf[idx]
        norm = float(np.sqrt(np.dot(values, values)))
        return idx, values / norm if norm else values

    def vector_of(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """``vector`` from the features' vocabulary indices (``text.FeatureIndices``), the same floats: the
        counts in the order the features first appear, each term frequency ``1 + log(count)`` as ``vector``
        computes it."""
        if not indices:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        counts = Counter(indices)  # insertion-ordered, as ``vector``'s dict
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        if len(counts) == len(indices):  # every count 1: tf is 1.0, and 1.0 × idf is idf
            values = self.idf[idx]
        else:
            values = np.fromiter(map(_tf, counts.values()), dtype=np.float32, count=len(counts)) * self.idf[idx]
        norm = float(np.sqrt(np.dot(values, values)))
        return idx, values / norm if norm else values

    def probabilities(self, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
        logits = self.intercept + (values @ self.coef[idx] if len(idx) else 0.0)
        logits = logits - logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def top_words(self, idx: np.ndarray, values: np.ndarray, label_index: int, n: int = 3) -> list[str]:
        """The words of the text that pushed it most towards a label (a reason when no term matched)."""
        if not len(idx):
            return []
        contribution = values * self.coef[idx, label_index]
        order = np.argsort(-contribution)
        words = []
        inverse = self._inverse()
        for j in order:
            if contribution[j] <= 0:
                break
            name = inverse[int(idx[j])]
            if name.startswith("w:") and len(name) > 3:
                words.append(name[2:])
                if len(words) == n:
                    break
        return words

    def _inverse(self) -> dict[int, str]:
        inverse = getattr(self, "_inverse_cache", None)
        if inverse is None:
            inverse = {i: f for f, i in self.vocabulary.items()}
            self._inverse_cache = inverse
        return inverse

    # ------------------------------------------------------------ files

    def save(self, path: Path) -> int:
        """Write atomically (a running server never reads half a file); returns the size in bytes."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        header = {"format": FORMAT, **self.meta}
        fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".npz", dir=path.parent)
        os.close(fd)
        try:
            with open(tmp, "wb") as handle:
                np.savez_compressed(
                    handle,
                    header=np.array(json.dumps(header, ensure_ascii=False)),
                    labels=np.array(self.labels),
                    vocabulary=np.array(keys),
                    idf=self.idf.astype(np.float32),
                    coef=self.coef.astype(np.float16),
                    intercept=self.intercept.astype(np.float32),
                    dictionary=np.array(self.dictionary),
                )
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path.stat().st_size

    @classmethod
    def load(cls, path: Path) -> Model:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("format") != FORMAT:
                raise ValueError(f"model format {header.get('format')} is not {FORMAT}; rebuild it")
            keys = [str(k) for k in data["vocabulary"]]
            return cls(
                labels=[str(x) for x in data["labels"]],
                vocabulary={k: i for i, k in enumerate(keys)},
                idf=data["idf"].astype(np.float32),
                coef=np.ascontiguousarray(data["coef"].astype(np.float32)),
                intercept=data["intercept"].astype(np.float32),
                dictionary=[str(x) for x in data["dictionary"]],
                meta=header,
            )


def data_fingerprint(examples: Sequence[Example], dictionary: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.label}\t{e.weight}\t{e.text}\n".encode())
    digest.update("\n".join(dictionary).encode())
    return digest.hexdigest()[:16]


def train(
    examples: Sequence[Example], dictionary: Sequence[str], *, c: float = DEFAULT_C, min_df: int = MIN_DF
) -> Model:
    """Fit the classifier. Deterministic: same examples in the same order give the same weights."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    if len({e.label for e in examples}) < 2:
        raise ValueError("training needs examples of at least two categories")
    seg = segmenter(dictionary)
    docs = [features(normalise(e.text), seg) for e in examples]
    vectoriser = TfidfVectorizer(
        analyzer=_identity, sublinear_tf=True, min_df=min_df, norm="l2", dtype=np.float32, lowercase=False
    )
    x = vectoriser.fit_transform(docs)
    y = [e.label for e in examples]
    weights = np.array([e.weight for e in examples], dtype=np.float64)
    classifier = LinearSVC(C=c, max_iter=10000, random_state=0)
    classifier.fit(x, y, sample_weight=weights)
    vocabulary = {str(k): int(v) for k, v in vectoriser.vocabulary_.items()}
    return Model(
        labels=[str(label) for label in classifier.classes_],
        vocabulary=vocabulary,
        idf=vectoriser.idf_.astype(np.float32),
        coef=np.ascontiguousarray((classifier.coef_.T * TEMPERATURE).astype(np.float32)),
        intercept=(classifier.intercept_ * TEMPERATURE).astype(np.float32),
        dictionary=list(seg.words),
        meta={
            "examples": len(examples),
            "labels": len(classifier.classes_),
            "features": len(vocabulary),
            "c": c,
            "temperature": TEMPERATURE,
            "min_df": min_df,
            "data": data_fingerprint(examples, seg.words),
        },
    )
