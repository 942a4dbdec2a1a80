"""Writes of smart intake: a staff correction of a case's category, and (re)training the classifier.

``intake_build`` trains from the shipped data alone (``make`` runs it; no database needed). ``intake_train``
trains from the shipped data plus this deployment's corrections, measures the new model and the one in use on
the same held-back slice, and replaces the model in use only if the new one is not worse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from youlin.intake import data as shipped
from youlin.intake.catalogue import shipped_entries, training_dictionary
from youlin.intake.data import Example
from youlin.intake.engine import Engine
from youlin.intake.evaluation import Evaluation, evaluate
from youlin.intake.model import train
from youlin.intake.models import CategoryCorrection

# A correction counts as much as three shipped examples: it is this deployment's own vocabulary.
CORRECTION_WEIGHT = 3.0
# Every fifth correction (by id) is held back to measure the model, never trained on.
HOLD_BACK_EVERY = 5


@transaction.atomic
def correction_record(*, actor, case, old_category, new_category) -> CategoryCorrection | None:
    """Keep that ``actor`` moved ``case`` from ``old_category`` to ``new_category`` (call it in the same
    transaction as the change). Nothing is kept when the category did not change."""
    if old_category is None or new_category is None or old_category.pk == new_category.pk:
        return None
    return CategoryCorrection.objects.create(
        case=case,
        text=case.description,
        from_category=old_category,
        to_category=new_category,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


@dataclass
class TrainReport:
    path: Path
    examples: int
    heldout: int
    new: Evaluation
    current: Evaluation | None = None
    replaced: bool = False
    reason: str = ""
    corrections_trained: int = 0
    corrections_held_back: int = 0
    size_bytes: int = 0
    seconds: float = 0.0
    meta: dict = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"trained on {self.examples} examples ({self.corrections_trained} corrections) in {self.seconds:.1f} s",
            f"held-back slice: {self.heldout} texts ({self.corrections_held_back} corrections)",
            f"new model:     top-1 {self.new.top1:.1%}  top-3 {self.new.top3:.1%}",
        ]
        if self.current is not None:
            lines.append(f"model in use:  top-1 {self.current.top1:.1%}  top-3 {self.current.top3:.1%}")
        if self.replaced:
            lines.append(f"replaced {self.path} ({self.size_bytes / 1e6:.1f} MB): {self.reason}")
        else:
            lines.append(f"kept the model in use at {self.path}: {self.reason}")
        return "\n".join(lines)


def _not_worse(new: Evaluation, current: Evaluation) -> bool:
    """Top-1 first, top-3 on a tie."""
    return (round(new.top1, 6), round(new.top3, 6)) >= (round(current.top1, 6), round(current.top3, 6))


def intake_build(*, path: Path) -> TrainReport:
    """Train from the shipped data over the shipped category list and write ``path`` (what ``make`` runs)."""
    started = time.monotonic()
    entries = shipped_entries()
    examples = shipped.training_examples()
    heldout = shipped.held_out_examples()
    model = train(examples, training_dictionary(entries))
    model.meta["trained_at"] = timezone.now().isoformat(timespec="seconds")
    model.meta["corrections"] = 0
    result = evaluate(Engine(entries, model), heldout)
    size = model.save(path)
    return TrainReport(
        path=Path(path),
        examples=len(examples),
        heldout=len(heldout),
        new=result,
        replaced=True,
        reason="built from the shipped data",
        size_bytes=size,
        seconds=time.monotonic() - started,
        meta=model.meta,
    )


def _corrections() -> tuple[list[Example], list[Example]]:
    trained, held_back = [], []
    rows = (
        CategoryCorrection.objects.select_related("to_category")
        .exclude(text="")
        .order_by("pk")
        .only("pk", "text", "to_category__kind", "to_category__code")
    )
    for c in rows:
        example = Example(
            text=c.text,
            kind=c.to_category.kind,
            code=c.to_category.code,
            voice="correction",
            weight=CORRECTION_WEIGHT,
            source=f"correction:{c.pk}",
        )
        (held_back if c.pk % HOLD_BACK_EVERY == 0 else trained).append(example)
    return trained, held_back


def intake_train(*, actor=None, path: Path | None = None, force: bool = False) -> TrainReport:
    """Retrain from the shipped data and this deployment's corrections over the active categories; measure the
    new model and the one in use on the shipped test slice plus the held-back corrections; replace the model in
    use only if the new one is not worse (or ``force``). Deterministic: the same data gives the same model."""
    from youlin.intake import selectors

    started = time.monotonic()
    path = Path(path) if path is not None else selectors.model_path()
    entries = selectors.entries_from(selectors._category_rows())
    trained, held_back = _corrections()
    examples = [*shipped.training_examples(), *trained]
    heldout = [*shipped.held_out_examples(), *held_back]
    model = train(examples, training_dictionary(entries))
    model.meta["trained_at"] = timezone.now().isoformat(timespec="seconds")
    model.meta["corrections"] = len(trained)
    if actor is not None and getattr(actor, "is_authenticated", False):
        model.meta["trained_by"] = actor.get_username()
    new = evaluate(Engine(entries, model), heldout)
    current_model = selectors.load_model(path) if path.exists() else None
    current = evaluate(Engine(entries, current_model), heldout) if current_model is not None else None
    report = TrainReport(
        path=path,
        examples=len(examples),
        heldout=len(heldout),
        new=new,
        current=current,
        corrections_trained=len(trained),
        corrections_held_back=len(held_back),
        meta=model.meta,
    )
    if current is None:
        report.replaced, report.reason = True, "no model was in use"
    elif force:
        report.replaced, report.reason = True, "forced"
    elif _not_worse(new, current):
        report.replaced, report.reason = True, "the new model is not worse on the held-back slice"
    else:
        report.reason = "the new model is worse on the held-back slice"
    if report.replaced:
        report.size_bytes = model.save(path)
        selectors.forget_engine()
    report.seconds = time.monotonic() - started
    return report
