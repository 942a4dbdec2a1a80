"""A backup is one folder: the database, the uploaded files and a manifest that says what is in them.

    DIR/manifest.json        engine, the schema's migration state, rows per table, each file's size and SHA-256
    DIR/database.dump        PostgreSQL: pg_dump's custom format (restored with pg_restore)
    DIR/database.sqlite3     SQLite: a copy made with SQLite's online backup API
    DIR/media/…              every stored file, under its storage name

The database is copied first, then the files: a file the copied database names was stored before it, so it is in
the backup (uploads only add files). The connection is Django's own (``connection.settings_dict``), so the
commands work on whatever database the settings name. Files go through Django's storage API.

``restore`` checks the manifest before it changes anything: every checksum, the engine, and that the backup's
schema is not newer than this code's (a migration this code does not know); it refuses a database that already
holds data unless forced. A backup older than the code is migrated forward after it is restored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused, with what to do about it (for the operator, in English)."""


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    bytes: int
    migrated: bool = False


# ---------------------------------------------------------------- what is where


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def database_file() -> str:
    return "database.dump" if engine() == "postgresql" else "database.sqlite3"


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's own and many-to-many tables included)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a table name)
            counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations() -> dict[str, list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Migrations a backup's database had applied that this code does not have: the backup is newer."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in applied.items() for name in names if (app, name) not in known]


def holds_data() -> bool:
    """Whether the database holds anything a restore would destroy: accounts or places (a freshly migrated one
    holds only what migrations load, such as the category table)."""
    from django.contrib.auth import get_user_model

    from youlin.places.models import Community

    tables = set(connection.introspection.table_names())
    user = get_user_model()
    return any(model._meta.db_table in tables and model._default_manager.exists() for model in (user, Community))


def sha256_of(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def stored_files(folder: str = "") -> Iterator[str]:
    """Every file in the default storage, by storage name."""
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield str(PurePosixPath(folder, name)) if folder else name
    for sub in sorted(dirs):
        yield from stored_files(str(PurePosixPath(folder, sub)) if folder else sub)


# ---------------------------------------------------------------- PostgreSQL and SQLite


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    from django.db.backends.postgresql.client import DatabaseClient

    binary = shutil.which(program)
    if binary is None:
        raise BackupError(
            f"{program} was not found. Install the PostgreSQL client tools of the server's major version "
            "(Debian: apt-get install postgresql-client)."
        )
    args, env = DatabaseClient.settings_to_cmd_args_env(connection.settings_dict, [])
    return [binary, *args[1:]], {**os.environ, **(env or {})}


def _dump_database(target: Path) -> None:
    connection.ensure_connection()
    if engine() == "sqlite":
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # the online backup API: consistent while others write
        copy.close()
        return
    args, env = _pg_command("pg_dump")
    dbname = args.pop()  # pg_dump takes the database as an option like the others
    args += ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={dbname}"]
    _run(args, env)


def _load_database(source: Path) -> None:
    if engine() == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as backup:
            backup.backup(connection.connection)
        backup.close()
        return
    # Drop what is there (this code's tables may differ from the backup's), then load the dump.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()
    args, env = _pg_command("pg_restore")
    dbname = args.pop()
    _run(
        [
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={dbname}",
            str(source),
        ],
        env,
    )


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{PurePosixPath(args[0]).name} failed: {result.stderr.strip() or result.returncode}")


# ---------------------------------------------------------------- backup


def backup(folder: Path) -> Summary:
    """Write a backup into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new or empty folder for each backup.")
    folder.mkdir(parents=True, exist_ok=True)
    kind = engine()
    counts = table_counts()
    migrations = applied_migrations()
    db_file = folder / database_file()
    _dump_database(db_file)
    with db_file.open("rb") as f:
        db_sha, db_size = sha256_of(f)
    files: dict[str, dict] = {}
    for name in stored_files():
        target = folder / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        with target.open("rb") as copied:
            digest, size = sha256_of(copied)
        files[name] = {"size": size, "sha256": digest}
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": kind,
        "database": {"file": db_file.name, "size": db_size, "sha256": db_sha},
        "migrations": migrations,
        "tables": counts,
        "media": files,
    }
    # Written last: a folder without a manifest is an unfinished backup, and restore refuses it.
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return Summary(len(counts), sum(counts.values()), len(files), sum(f["size"] for f in files.values()))


# ---------------------------------------------------------------- restore


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: {folder} is not a finished youlin backup.")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is in format {manifest.get('format')!r}; this youlin reads format {FORMAT}.")
    return manifest


def check(folder: Path, manifest: dict) -> list[str]:
    """Every problem that stops a restore: damaged or missing files, another engine, a newer schema."""
    folder = Path(folder)
    problems = []
    if manifest["engine"] != engine():
        problems.append(
            f"The backup is of a {manifest['engine']} database; the settings name a {engine()} one. Restore it into "
            f"a {manifest['engine']} database (YOULIN_DATABASE_URL)."
        )
    unknown = unknown_migrations(manifest["migrations"])
    if unknown:
        problems.append(
            "The backup comes from a newer version of youlin: its database has migrations this version does not "
            f"know ({', '.join(unknown[:5])}{'…' if len(unknown) > 5 else ''}). Install that version (or newer) "
            "and restore with it."
        )
    db = manifest["database"]
    expected = [(folder / db["file"], db["sha256"], db["file"])]
    expected += [(folder / MEDIA / name, f["sha256"], f"{MEDIA}/{name}") for name, f in manifest["media"].items()]
    for path, digest, label in expected:
        if not path.is_file():
            problems.append(f"{label} is missing from the backup.")
            continue
        with path.open("rb") as f:
            if sha256_of(f)[0] != digest:
                problems.append(f"{label} does not match its checksum: the backup is damaged.")
    return problems


def restore(folder: Path, *, force: bool = False) -> Summary:
    """Replace the database and the stored files with the backup in ``folder``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = check(folder, manifest)
    if problems:
        raise BackupError("Nothing was restored:\n- " + "\n- ".join(problems))
    if not force and holds_data():
        raise BackupError(
            "The database already holds data (accounts or places); restoring would replace all of it. "
            "Run again with --force to replace it, or restore into an empty database."
        )
    _load_database(folder / manifest["database"]["file"])
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for name in manifest["media"]:
        if default_storage.exists(name):
            default_storage.delete(name)
        with (folder / MEDIA / name).open("rb") as f:
            saved = default_storage.save(name, File(f, name=name))
        if saved != name:
            raise BackupError(f"{name} was stored as {saved}: the storage renamed it; restore stopped.")
    migrated = False
    if _unapplied():  # a backup older than this code: bring its schema forward
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        migrated = True
    counts = table_counts()
    if not migrated:
        wrong = [t for t, n in manifest["tables"].items() if counts.get(t) != n]
        if wrong:
            raise BackupError(f"After the restore, row counts differ from the manifest in: {', '.join(wrong[:10])}.")
    files = manifest["media"]
    return Summary(len(counts), sum(counts.values()), len(files), sum(f["size"] for f in files.values()), migrated)


def _unapplied() -> list[tuple[str, str]]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return [(m.app_label, m.name) for m, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())]
