"""``youlin intake``: smart intake from the command line.

youlin intake suggest --jsonl IN [--top 5]   one JSON line in ({"id", "text", "lat", "lon"}), one out
youlin intake train [--force]                retrain with this deployment's corrections; replace if not worse
youlin intake build [--model PATH]           train from the shipped data only (``make`` runs this)
youlin intake eval [--model PATH]            top-1/top-3 on the shipped test slice (``make eval-intake``)
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def _number(value, name: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number")
    return float(value)


class Command(BaseCommand):
    help = "Smart intake: suggest categories for texts, train and evaluate the classifier."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("suggest", help="suggest categories for JSON lines")
        p.add_argument("--jsonl", required=True, help="input file of JSON lines, or - for standard input")
        p.add_argument("--top", type=int, default=3, help="suggestions per text (1–10)")
        p = sub.add_parser("train", help="retrain with the corrections of this deployment")
        p.add_argument("--model", type=Path, help="model file (default: YOULIN_INTAKE_MODEL)")
        p.add_argument("--force", action="store_true", help="replace the model in use even if the new one is worse")
        p = sub.add_parser("build", help="train from the shipped data only (no database)")
        p.add_argument("--model", type=Path, help="model file (default: YOULIN_INTAKE_MODEL)")
        p = sub.add_parser("eval", help="accuracy on the shipped test slice")
        p.add_argument("--model", type=Path, help="model file (default: YOULIN_INTAKE_MODEL)")
        p.add_argument("--confusions", type=int, default=15)

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action}")(**options)

    # ------------------------------------------------------------ suggest

    def handle_suggest(self, *, jsonl: str, top: int, **_):
        from youlin.intake.selectors import suggest

        if not 1 <= top <= 10:
            raise CommandError("--top must be between 1 and 10")
        try:
            handle = sys.stdin if jsonl == "-" else open(jsonl, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {jsonl}: {exc.strerror}") from None
        lines = errors = 0
        with handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                lines += 1
                out = self._suggest_line(number, raw, top, suggest)
                errors += "error" in out
                self.stdout.write(json.dumps(out, ensure_ascii=False))
        self.stderr.write(f"{lines} line(s), {errors} error(s)")

    def _suggest_line(self, number: int, raw: str, top: int, suggest) -> dict:
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return {"line": number, "error": {"code": "invalid_json", "message": f"not JSON: {exc.msg}"}}
        if not isinstance(record, dict):
            return {"line": number, "error": {"code": "invalid_input", "message": "a line must be a JSON object"}}
        ident = record.get("id")
        text = record.get("text")
        if not isinstance(text, str):
            return {
                "line": number,
                "id": ident,
                "error": {"code": "invalid_input", "message": "text must be a string"},
            }
        try:
            lat = _number(record.get("lat"), "lat")
            lon = _number(record.get("lon"), "lon")
        except ValueError as exc:
            return {"line": number, "id": ident, "error": {"code": "invalid_input", "message": str(exc)}}
        result = suggest(text, lon=lon, lat=lat, top=top)
        out = {"id": ident, **result.as_dict()}
        return out

    # ------------------------------------------------------------ train, build, eval

    def handle_train(self, *, model: Path | None, force: bool, **_):
        from youlin.intake.services import intake_train

        report = intake_train(path=model, force=force)
        self.stdout.write(report.summary())

    def handle_build(self, *, model: Path | None, **_):
        from youlin.intake.selectors import model_path
        from youlin.intake.services import intake_build

        report = intake_build(path=model or model_path())
        self.stdout.write(report.summary())
        self.stdout.write(f"{report.meta.get('labels')} labels, {report.meta.get('features')} features")

    def handle_eval(self, *, model: Path | None, confusions: int, **_):
        from youlin.intake.catalogue import shipped_entries
        from youlin.intake.data import held_out_examples
        from youlin.intake.engine import Engine
        from youlin.intake.evaluation import evaluate, report
        from youlin.intake.model import Model
        from youlin.intake.selectors import model_path

        path = model or model_path()
        try:
            loaded = Model.load(path)
        except FileNotFoundError:
            raise CommandError(f"no model at {path}: run `make` or `youlin intake build` first") from None
        examples = held_out_examples()
        result = evaluate(Engine(shipped_entries(), loaded), examples)
        title = f"intake: {len(examples)} texts of the shipped test slice, model {path} ({loaded.meta.get('data')})"
        self.stdout.write(report(result, title=title, confusions=confusions))
