"""Text in, features out: normalisation (traditional → simplified, full-width → half-width), word segmentation
with the domain dictionary, and the features the classifier reads (words and character n-grams).

Pure Python, no Django: the training command, the evaluation and the run-time suggestion share it, so a
feature means the same thing in all three.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# A complaint's gist is at its start; a pasted 10,000-character transcript is read this far.
MAX_CHARS = 600
CHAR_NGRAMS = (1, 2, 3)

# Everything that is not a letter, a digit or a CJK character splits the text into runs.
_SPLIT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Words that carry no meaning for the category (segmenter output).
_STOPWORDS = (
    "的 了 是 在 我 我们 你 他 她 它 他们 也 都 就 还 又 很 太 好 啊 吧 呢 吗 呀 哦 嘛 和 与 及 或 有 没 不 这 那 这个 那个 "
    "一个 一下 一些 一直 已经 现在 什么 怎么 谁 给 让 把 被 对 从 到 向 往 上 下 里 中 能 会 要 想 说 看 去 来 过 着 得 地 "
    "等 个 些 每 各 其 该 此 并 但 而 且 如果 因为 所以 希望 反映 来电 市民 来电人 诉求人 称 表示 要求 麻烦 谢谢 请 "
    "尽快 相关 部门 处理 解决 问题 情况 目前 已 多次 一次 几天 好几天"
)
STOPWORDS = frozenset(_STOPWORDS.split(" "))


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Simplified, half-width, lower-case, trimmed to ``MAX_CHARS``; never raises."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).lower()
    if _CJK.search(text):
        text = _converter().convert(text)
    return text[:MAX_CHARS].strip()


def has_content(text: str) -> bool:
    """Whether a normalised text has any letter, digit or Chinese character to classify."""
    return bool(_SPLIT.sub("", text))


class Segmenter:
    """rjieba (jieba-rs) with the domain dictionary added. One instance per process; thread-safe to read."""

    def __init__(self, words: Iterable[str] = ()):
        import rjieba

        self._jieba = rjieba.Jieba()
        self.words = sorted({w.strip() for w in words if w and len(w.strip()) > 1})
        for word in self.words:
            # A high frequency keeps a domain word whole (飞线充电, 楼道堆物) against the general dictionary.
            self._jieba.add_word(word, 20000, None)

    def cut(self, text: str) -> list[str]:
        words: list[str] = []
        for run in _SPLIT.split(text):
            if run:
                words.extend(self.cut_run(run))
        return words

    def cut_run(self, run: str) -> list[str]:
        """The words of one run (no separator in it)."""
        return [w for w in self._jieba.cut(run, hmm=True) if w.strip()]


_segmenters: dict[tuple[str, ...], Segmenter] = {}
_lock = threading.Lock()


def segmenter(words: Iterable[str]) -> Segmenter:
    """A shared segmenter for this dictionary (building one takes about 0.3 s)."""
    key = tuple(sorted({w.strip() for w in words if w and len(w.strip()) > 1}))
    found = _segmenters.get(key)
    if found is None:
        with _lock:
            found = _segmenters.get(key)
            if found is None:
                found = Segmenter(key)
                _segmenters.clear()  # a new dictionary replaces the old one
                _segmenters[key] = found
    return found


class FeatureIndices:
    """``features`` as indices into a vocabulary, for a batch of texts (the hotline import): each run of the
    text (what ``Segmenter.cut`` splits on, and each run of Chinese characters for the n-grams) is read once per
    batch, and a text's indices are its runs' in the order ``features`` lists them, features outside the
    vocabulary left out. A file's texts share most of their clauses ("市民反映", "楼道堆物"): those are not cut,
    spelled out and looked up again. Not thread-safe: one per batch."""

    def __init__(self, seg: Segmenter, vocabulary: dict[str, int]):
        self._seg = seg
        self._vocabulary = vocabulary
        self._words: dict[str, tuple[int, ...]] = {}
        self._grams: dict[str, tuple[int, ...]] = {}

    def __call__(self, normalised: str) -> list[int]:
        out: list[int] = []
        words, grams = self._words, self._grams
        for run in _SPLIT.split(normalised):
            if run:
                found = words.get(run)
                if found is None:
                    found = words[run] = self._run_words(run)
                out.extend(found)
        for run in _CJK_RUN.findall(normalised):
            found = grams.get(run)
            if found is None:
                found = grams[run] = self._run_grams(run)
            out.extend(found)
        return out

    def _run_words(self, run: str) -> tuple[int, ...]:
        get = self._vocabulary.get
        found = (get(f"w:{w}") for w in self._seg.cut_run(run) if w not in STOPWORDS)
        return tuple(i for i in found if i is not None)

    def _run_grams(self, run: str) -> tuple[int, ...]:
        get = self._vocabulary.get
        n_run = len(run)
        found = (get(f"c:{run[i : i + n]}") for n in CHAR_NGRAMS for i in range(n_run - n + 1))
        return tuple(i for i in found if i is not None)


def features(normalised: str, seg: Segmenter) -> list[str]:
    """Word features (``w:``) from the segmenter and character n-grams (``c:``) within each run of Chinese
    characters (Latin letters and digits count as whole words only: their letters mean nothing alone)."""
    out = [f"w:{w}" for w in seg.cut(normalised) if w not in STOPWORDS]
    for run in _CJK_RUN.findall(normalised):
        n_run = len(run)
        for n in CHAR_NGRAMS:
            for i in range(n_run - n + 1):
                out.append(f"c:{run[i : i + n]}")
    return out
