"""Loading years of 12345 history at bulk speed (``youlin hotline load DIR``): one dispatch file per community,
named ``<community slug>.csv`` (or .xlsx), for a database that is not yet live or is in a maintenance window.

On PostgreSQL, in three phases:

    prepare  the definitions of the non-unique secondary indexes and of the foreign keys of the tables the
             import writes are recorded in a table of the database itself (``youlin_bulk_load``: an interrupted
             load can always be finished, from any machine), then dropped; all in one transaction
    load     each file through the import as it is (its own job and transaction: all its orders or none), the
             files spread over N processes, each with its own connection
    finish   the indexes built again (two at a time, ``maintenance_work_mem`` raised), the foreign keys added
             back ``NOT VALID`` and then validated (one set-based check each instead of one per row; two tables'
             keys at a time), the tables analysed; each step removes its row in the same transaction, so
             ``--finish`` carries on where a run stopped, and the schema ends as it was

Unique indexes stay, but for two: the import looks orders imported before up by their hotline number, and keys
unique by construction are dropped with the rest (``UNIQUE_BY_CONSTRUCTION``: case numbers come from the day
counter, tracking tokens are 192 random bits; a random key dirties another page of a large index at every insert,
which is what made them the costliest to keep) and added back as they were, which checks them once. A load
refuses to start while one is unfinished. On SQLite the files are imported one after another, with no schema
change."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from django.db import ProgrammingError, connection, transaction
from django.utils.translation import gettext_lazy as _

from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, CaseAssignment, CaseEvent, CaseFollower, FollowUpVisit
from youlin.core.processes import pool as spawned_pool
from youlin.places.models import Community

STATE_TABLE = "youlin_bulk_load"
# The tables a new order writes (its case, timeline, follow-up visits, responsible parties and followers).
WRITTEN = (Case, CaseEvent, CaseAssignment, CaseFollower, FollowUpVisit)
SUFFIXES = (".csv", ".xlsx")
# Unique constraints the import makes unique by construction and never reads during a load (see the docstring).
UNIQUE_BY_CONSTRUCTION = {Case: ("number", "tracking_token")}
MAINTENANCE_WORK_MEM = "512MB"  # per index build; two run at once
INDEX_BUILDS = 2


@dataclass
class FileLoaded:
    community: str
    orders: int = 0  # new orders
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    error: str = ""


@dataclass
class LoadResult:
    files: list[FileLoaded] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # prepare, load, indexes, foreign_keys, analyze
    seconds: float = 0.0

    @property
    def orders(self) -> int:
        return sum(f.orders for f in self.files)

    @property
    def failed(self) -> list[FileLoaded]:
        return [f for f in self.files if f.error]


def bulk() -> bool:
    """Whether the load changes the schema (PostgreSQL) or imports the files one after another (SQLite)."""
    return connection.vendor == "postgresql"


def dispatch_files(directory: Path) -> dict[str, Path]:
    """The files of ``directory`` by community slug (their names), refused when a slug names no community."""
    found = {p.stem: p for p in sorted(directory.iterdir()) if p.is_file() and p.suffix.lower() in SUFFIXES}
    if not found:
        raise CaseError(
            CaseErrorCode.INVALID_INPUT,
            _("%(dir)s 中没有工单文件：每个社区一个文件，文件名为社区网址名加 .csv。") % {"dir": directory},
        )
    known = set(Community.objects.filter(slug__in=list(found)).values_list("slug", flat=True))
    unknown = sorted(set(found) - known)
    if unknown:
        raise CaseError(
            CaseErrorCode.INVALID_INPUT,
            _("这些文件名不是任何社区的网址名：%(names)s。请按社区网址名命名文件。") % {"names": "、".join(unknown)},
        )
    return found


def unfinished() -> bool:
    """Whether a load has dropped indexes or foreign keys that are not back yet."""
    if not bulk():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [STATE_TABLE])
        return cursor.fetchone()[0]


def _tables() -> list[str]:
    return [m._meta.db_table for m in WRITTEN]


def prepare() -> int:
    """Record, then drop, the non-unique secondary indexes, the unique constraints of ``UNIQUE_BY_CONSTRUCTION``
    and the foreign keys of the written tables; returns how many. Refused while a load is unfinished."""
    if unfinished():
        raise CaseError(
            CaseErrorCode.CONFLICT,
            _("上一次批量导入尚未完成（索引和外键还没有恢复）。请先运行 youlin hotline load --finish。"),
        )
    tables = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute(
                    f"CREATE TABLE {STATE_TABLE} (id serial PRIMARY KEY, kind text NOT NULL, table_name text NOT NULL, "
                    "name text NOT NULL, definition text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())"
                )
        except ProgrammingError:  # another load started at the same moment
            raise CaseError(CaseErrorCode.CONFLICT, _("另一个批量导入正在进行。")) from None
        cursor.execute(
            f"INSERT INTO {STATE_TABLE} (kind, table_name, name, definition) "  # noqa: S608 - a fixed name
            "SELECT 'index', t.relname, i.relname, pg_get_indexdef(x.indexrelid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.oid IN (SELECT to_regclass(n) FROM unnest(CAST(%s AS text[])) n) "
            "AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY t.relname, i.relname",
            [tables],
        )
        cursor.execute(
            f"INSERT INTO {STATE_TABLE} (kind, table_name, name, definition) "  # noqa: S608 - a fixed name
            "SELECT 'foreign_key', t.relname, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.oid IN (SELECT to_regclass(n) FROM unnest(CAST(%s AS text[])) n) "
            "ORDER BY t.relname, c.conname",
            [tables],
        )
        for model, columns in UNIQUE_BY_CONSTRUCTION.items():
            cursor.execute(
                f"INSERT INTO {STATE_TABLE} (kind, table_name, name, definition) "  # noqa: S608 - a fixed name
                "SELECT 'unique', t.relname, c.conname, "
                "format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname, pg_get_constraintdef(c.oid)) "
                "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1] "
                "WHERE c.contype = 'u' AND t.oid = to_regclass(%s) AND cardinality(c.conkey) = 1 "
                "AND a.attname = ANY(CAST(%s AS text[])) ORDER BY c.conname",
                [model._meta.db_table, list(columns)],
            )
        cursor.execute(f"SELECT kind, table_name, name FROM {STATE_TABLE} ORDER BY id")  # noqa: S608
        recorded = cursor.fetchall()
        qn = connection.ops.quote_name
        for kind, table, name in recorded:
            if kind in ("foreign_key", "unique"):
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for kind, _table, name in recorded:
            if kind == "index":
                cursor.execute(f"DROP INDEX {qn(name)}")
    return len(recorded)


def _build_index(row_id: int, name: str, definition: str) -> None:
    """One index (or unique constraint, whose index has its name), in its own transaction with the removal of its
    row (a thread of its own: its own connection)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            cursor.execute("SELECT to_regclass(%s) IS NULL", [name])
            if cursor.fetchone()[0]:
                cursor.execute(definition)
            cursor.execute(f"DELETE FROM {STATE_TABLE} WHERE id = %s", [row_id])  # noqa: S608 - a fixed name
    finally:
        connection.close()


def _validate_keys(table: str, keys: list[tuple[int, str]]) -> None:
    """Check one table's foreign keys, one after another, each in a transaction with the removal of its row (a
    thread of its own: its own connection)."""
    qn = connection.ops.quote_name
    try:
        for row_id, name in keys:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {qn(table)} VALIDATE CONSTRAINT {qn(name)}")
                cursor.execute(f"DELETE FROM {STATE_TABLE} WHERE id = %s", [row_id])  # noqa: S608 - a fixed name
    finally:
        connection.close()


def finish(*, progress: Callable[[str, float], None] | None = None) -> dict[str, float]:
    """Build the recorded indexes again, add the recorded foreign keys back and check them once each, analyse the
    tables, and drop the record: the schema as it was before ``prepare``. Returns each phase's seconds."""
    phases: dict[str, float] = {}
    if not unfinished():
        return phases
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The largest tables' indexes first: the two builders end at about the same time.
        cursor.execute(
            f"SELECT id, kind, table_name, name, definition FROM {STATE_TABLE} "  # noqa: S608 - a fixed name
            "ORDER BY pg_relation_size(to_regclass(table_name)) DESC, id"
        )
        recorded = cursor.fetchall()
    t0 = time.perf_counter()
    indexes = [
        (row_id, name, definition) for row_id, kind, _t, name, definition in recorded if kind in ("index", "unique")
    ]
    with ThreadPoolExecutor(max_workers=INDEX_BUILDS) as pool:
        for done in as_completed([pool.submit(_build_index, *index) for index in indexes]):
            done.result()
    phases["indexes"] = time.perf_counter() - t0
    if progress is not None:
        progress("indexes", phases["indexes"])
    t0 = time.perf_counter()
    keys: dict[str, list[tuple[int, str]]] = {}
    for row_id, kind, table, name, definition in recorded:
        if kind != "foreign_key":
            continue
        # Added back unchecked first (a moment each), one after another: adding takes a lock on both tables.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = to_regclass(%s)", [name, table]
            )
            if cursor.fetchone() is None:
                cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition} NOT VALID")
        keys.setdefault(table, []).append((row_id, name))
    # Then checked, the tables' keys side by side (a check locks only its own table against another check).
    with ThreadPoolExecutor(max_workers=INDEX_BUILDS) as pool:
        for done in as_completed([pool.submit(_validate_keys, table, named) for table, named in keys.items()]):
            done.result()
    phases["foreign_keys"] = time.perf_counter() - t0
    if progress is not None:
        progress("foreign_keys", phases["foreign_keys"])
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {STATE_TABLE}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(qn(t) for t in _tables()))
    phases["analyze"] = time.perf_counter() - t0
    if progress is not None:
        progress("analyze", phases["analyze"])
    return phases


def _import_file(slug: str, path: str) -> FileLoaded:
    """One file as its own job (the import as it is: all its orders or none)."""
    from youlin.cases.imports.jobs import hotline_import_start
    from youlin.domain.errors import DomainError
    from youlin.jobs.models import Job

    done = FileLoaded(community=slug)
    t0 = time.perf_counter()
    try:
        job = hotline_import_start(
            actor=None, community=slug, filename=Path(path).name, content=Path(path).read_bytes(), background=False
        )
    except DomainError as exc:
        done.error = str(exc.message)
    except Exception as exc:  # one file's failure is reported; the other files still load
        done.error = f"{type(exc).__name__}: {exc}"
    else:
        if job.status == Job.Status.SUCCEEDED:
            done.orders, done.updated, done.unchanged = job.created_count, job.updated_count, job.unchanged_count
        else:
            rows = "; ".join(f"{e['row']} {e['column'] or '-'} {e['reason']}" for e in (job.errors or [])[:5])
            done.error = " ".join(filter(None, [str(job.message or job.status), rows]))
    done.seconds = time.perf_counter() - t0
    return done


def _load_all(files: dict[str, Path], processes: int, report: Callable[[FileLoaded], None]) -> list[FileLoaded]:
    """The files, largest first, over ``processes`` processes (each its own connection), or here when one."""
    order = sorted(files.items(), key=lambda item: (-item[1].stat().st_size, item[0]))
    loaded = []
    if processes <= 1 or len(order) == 1:
        for slug, path in order:
            loaded.append(_import_file(slug, str(path)))
            report(loaded[-1])
        return loaded
    # Spawned, not forked (see ``youlin.core.processes``): each worker has its own connection.
    with spawned_pool(min(processes, len(order))) as pool:
        for done in as_completed([pool.submit(_import_file, slug, str(path)) for slug, path in order]):
            loaded.append(done.result())
            report(loaded[-1])
    return loaded


def load_files(
    directory: Path,
    *,
    processes: int = 2,
    report: Callable[[FileLoaded], None] | None = None,
    phase: Callable[[str, float], None] | None = None,
) -> LoadResult:
    """Load every dispatch file of ``directory`` (see the module's docstring). A file refused or failing is
    reported in the result, the others load; an interruption leaves the schema to ``finish``."""
    files = dispatch_files(directory)
    result = LoadResult()
    report = report or (lambda done: None)
    started = time.perf_counter()
    if not bulk():
        result.files = _load_all(files, 1, report)
        result.phases["load"] = time.perf_counter() - started
        result.seconds = result.phases["load"]
        return result
    t0 = time.perf_counter()
    prepare()
    result.phases["prepare"] = time.perf_counter() - t0
    if phase is not None:
        phase("prepare", result.phases["prepare"])
    t0 = time.perf_counter()
    result.files = _load_all(files, processes, report)
    result.phases["load"] = time.perf_counter() - t0
    if phase is not None:
        phase("load", result.phases["load"])
    result.phases.update(finish(progress=phase))
    result.seconds = time.perf_counter() - started
    return result
