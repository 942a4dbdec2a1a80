"""The data shipped in ``data/``: labelled complaints (training and test slices), the term table (synonyms
and keywords per category) and the segmenter's domain dictionary. Plain UTF-8 TSV; see ``data/README.md``.

Pure Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_DIR = DATA_DIR / "train"
TEST_DIR = DATA_DIR / "test"
TERMS_PATH = DATA_DIR / "categories.tsv"
DICTIONARY_PATH = DATA_DIR / "dictionary.txt"
MATTER = "matter"
VOICES = ("resident", "grid", "hotline", "captain", "correction")


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    code: str
    voice: str
    weight: float = 1.0
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.code}"


class DataError(ValueError):
    pass


def read_examples(directory: Path) -> list[Example]:
    """Every ``*.tsv`` in ``directory`` (sorted, so training is deterministic). Columns ``code``, ``voice``,
    ``text`` and optionally ``kind`` (default: matter)."""
    examples: list[Example] = []
    for path in sorted(directory.glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines:
            continue
        header = lines[0].split("\t")
        if not {"code", "voice", "text"} <= set(header):
            raise DataError(f"{path.name}: header must name code, voice and text")
        col = {name: i for i, name in enumerate(header)}
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != len(header):
                raise DataError(f"{path.name}:{number}: expected {len(header)} columns, got {len(cells)}")
            code = cells[col["code"]].strip()
            if not re.fullmatch(r"[0-9]{5}", code):
                raise DataError(f"{path.name}:{number}: bad code {code!r}")
            kind = cells[col["kind"]].strip() if "kind" in col else MATTER
            examples.append(
                Example(
                    text=cells[col["text"]].strip(),
                    kind=kind,
                    code=code,
                    voice=cells[col["voice"]].strip(),
                    source=f"{path.name}:{number}",
                )
            )
    return examples


def training_examples() -> list[Example]:
    return read_examples(TRAIN_DIR)


def held_out_examples() -> list[Example]:
    return read_examples(TEST_DIR)


@dataclass(frozen=True)
class TermRow:
    kind: str
    code: str
    terms: tuple[str, ...]
    description: str


def term_rows(path: Path = TERMS_PATH) -> list[TermRow]:
    rows: list[TermRow] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 4:
            raise DataError(f"{path.name}:{number}: expected 4 columns (code, kind, terms, description)")
        code, kind, terms, description = (c.strip() for c in cells)
        rows.append(TermRow(kind, code, tuple(t.strip() for t in terms.split("|") if t.strip()), description))
    return rows


def shipped_terms() -> dict[tuple[str, str], tuple[list[str], str]]:
    """(kind, code) → (terms, description) from the term table."""
    return {(r.kind, r.code): (list(r.terms), r.description) for r in term_rows()}


def dictionary_words(path: Path = DICTIONARY_PATH) -> list[str]:
    """The domain dictionary: one word per line (a jieba user dictionary; frequency and tag are ignored)."""
    if not path.exists():
        return []
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split()[0] if line.strip() and not line.startswith("#") else ""
        if word:
            words.append(word)
    return words


_PARENS = re.compile(r"[（(]([^）)]*)[）)]")


def name_terms(name: str) -> list[str]:
    """Search terms a category's own name gives: 供水井盖异常 → 供水井盖; 垃圾间（楼）异常 → 垃圾间, 垃圾楼;
    焚烧垃圾、树叶 → 焚烧垃圾、树叶 and its parts."""
    base = name.replace("异常", "").replace("SOS", "").strip()
    variants = {base}
    match = _PARENS.search(base)
    if match:
        inner = match.group(1)
        stem_before = base[: match.start()]
        stem_after = base[match.end() :]
        variants = {stem_before + stem_after}
        for alternative in re.split(r"[、，,]", inner):
            alternative = alternative.strip()
            if not alternative:
                continue
            # 垃圾间（楼） → 垃圾楼: the alternative replaces the last character of the stem.
            if len(alternative) == 1 and stem_before:
                variants.add(stem_before[:-1] + alternative + stem_after)
            else:
                variants.add(stem_before + alternative + stem_after)
    out: list[str] = []
    for v in sorted(variants):
        out.append(v)
        parts = [p.strip() for p in re.split(r"[、，,]", v) if p.strip()]
        if len(parts) > 1:
            out.extend(parts)
    return [t for t in dict.fromkeys(out) if len(t) > 1]
