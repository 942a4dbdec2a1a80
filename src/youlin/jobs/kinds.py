"""What kinds of job there are. An app names its kind once (``register`` with a dotted path, loaded lazily, so
this lower app never imports a higher one); the machinery in ``services`` runs any of them the same way.

A kind says how to count a file's rows (to choose between now and the worker, and for the progress bar), how to
run one job (``run(JobRun) -> Outcome``, all or nothing, refusing a bad file with ``FileRefused``), and where the
job's page links to when it is done or refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from youlin.jobs.models import Job
    from youlin.jobs.services import JobRun


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    message: str = ""
    result: dict = field(default_factory=dict)  # the kind's own figures (e.g. cases waiting for triage)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Any  # what the page calls it ("12345 工单导入")
    run: Callable[[JobRun], Outcome]
    count_rows: Callable[[bytes], int]  # raises FileRefused for an unreadable file
    sync_rows: Callable[[], int]  # files with more rows than this run in the worker
    done_url: Callable[[Job], str] | None = None  # where "see the result" goes
    again_url: Callable[[Job], str] | None = None  # where "upload again" goes


_paths: dict[str, str] = {}
_loaded: dict[str, JobKind] = {}


def register(name: str, path: str) -> None:
    """``path`` names a ``JobKind`` ("youlin.ledgers.imports.LEDGER_IMPORT")."""
    _paths[name] = path
    _loaded.pop(name, None)


def get(name: str) -> JobKind:
    if name not in _loaded:
        try:
            module, attr = _paths[name].rsplit(".", 1)
        except KeyError:
            raise LookupError(f"no job kind {name!r} is registered") from None
        _loaded[name] = getattr(import_module(module), attr)
    return _loaded[name]
