"""Accuracy of an engine on labelled examples: top-1 and top-3, per voice (channel) and per major class, and
the confusions that occur most. Pure Python; ``make eval-intake`` prints ``report()``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from youlin.intake.data import Example
from youlin.intake.engine import Engine


@dataclass
class Tally:
    n: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, hit1: bool, hit3: bool) -> None:
        self.n += 1
        self.top1 += hit1
        self.top3 += hit3

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.n if self.n else 0.0


@dataclass
class Evaluation:
    overall: Tally = field(default_factory=Tally)
    by_voice: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_major: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    confusions: Counter = field(default_factory=Counter)

    @property
    def top1(self) -> float:
        return self.overall.top1_rate

    @property
    def top3(self) -> float:
        return self.overall.top3_rate


def evaluate(engine: Engine, examples: Sequence[Example]) -> Evaluation:
    result = Evaluation()
    names = {e.code: e.name for e in engine.entries}
    for example in examples:
        codes = [s.code for s in engine.suggest(example.text, top=3)]
        hit1 = codes[:1] == [example.code]
        hit3 = example.code in codes
        for tally in (result.overall, result.by_voice[example.voice], result.by_major[example.code[:2]]):
            tally.add(hit1, hit3)
        if not hit1:
            wrong = codes[0] if codes else "—"
            pair = (
                f"{example.code} {names.get(example.code, '')}".strip(),
                f"{wrong} {names.get(wrong, '')}".strip(),
            )
            result.confusions[pair] += 1
    return result


def _line(label: str, t: Tally) -> str:
    return f"  {label:<14} {t.n:>5}  {t.top1_rate:7.1%}  {t.top3_rate:7.1%}"


def report(evaluation: Evaluation, *, title: str = "", confusions: int = 10) -> str:
    majors = {e for e in evaluation.by_major}
    lines = [title] if title else []
    lines.append(f"  {'':<14} {'n':>5}  {'top-1':>7}  {'top-3':>7}")
    lines.append(_line("all", evaluation.overall))
    lines.append("per voice (channel):")
    for voice in sorted(evaluation.by_voice):
        lines.append(_line(voice, evaluation.by_voice[voice]))
    lines.append("per major class:")
    for major in sorted(majors):
        lines.append(_line(major, evaluation.by_major[major]))
    lines.append("most frequent confusions (expected → first suggestion):")
    for (expected, got), n in evaluation.confusions.most_common(confusions):
        lines.append(f"  {n:>3} × {expected} → {got}")
    if not evaluation.confusions:
        lines.append("  none")
    return "\n".join(lines)
