"""``youlin backup`` and ``youlin restore``: a round trip gives back every row of every table and every file
byte for byte; a damaged backup, one from a newer schema and a database that holds data are refused. Runs on the
database the settings name (SQLite or PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from youlin.cases import services as case_services
from youlin.cases.models import Case
from youlin.cases.tests import factories as cf
from youlin.deliberation import services as meeting_services
from youlin.deliberation.tests import factories as mf
from youlin.ledgers import services as ledger_services
from youlin.ledgers.excel import ledger_import
from youlin.ledgers.models import Ledger
from youlin.ledgers.tests.conftest import row, sheet
from youlin.places.models import Community

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump and pg_restore see only committed rows


def tables() -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            result[table] = sorted(repr(r) for r in cursor.fetchall())
    return result


def files(root) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def make_data(users):
    """Cases with photos (before and after), a ledger import, a meeting with a document and a photo."""
    case = cf.register(users.spk_grid, photos=[cf.photo(), cf.photo((10, 10, 200))])
    case = cf.walk(
        case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="in_progress"
    )
    case_services.case_report_done(
        actor=users.tyh_property, case=case, expected_version=case.version, photos=[cf.photo((0, 200, 0))]
    )
    fwd = Community.objects.get(name="阜外东社区")
    ledger = ledger_services.ledger_ensure(community=fwd, kind=Ledger.Kind.RECTIFICATION, name="整治台账")
    ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet([row(n) for n in range(1, 4)]))
    meeting = mf.meeting(users)
    upload = SimpleUploadedFile("agenda.txt", "议程".encode(), content_type="text/plain")
    meeting_services.material_add(actor=users.spk_staff, meeting=meeting, title="议程", upload=upload)
    meeting_services.material_add(actor=users.spk_staff, meeting=meeting, title="现场", upload=cf.photo(name="a.jpg"))


def test_back_up_wipe_restore_gives_back_every_row_and_file(demo, users, media, tmp_path, capsys):
    make_data(users)
    rows_before, files_before = tables(), files(media)
    assert len(files_before) >= 8 and sum(map(len, rows_before.values())) > 1000
    call_command("backup", str(tmp_path / "b"))
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["tables"]["cases_case"] == Case.objects.count() >= 2
    assert {name for name in manifest["media"]} == set(files_before)
    assert "0001_initial" in manifest["migrations"]["cases"]

    call_command("flush", interactive=False)  # the wipe: no rows, no files
    shutil.rmtree(media)
    media.mkdir()
    assert Case.objects.count() == 0 and files(media) == {}

    call_command("restore", str(tmp_path / "b"))
    assert "Restored" in capsys.readouterr().out
    after = tables()
    assert [t for t in rows_before if after.get(t) != rows_before[t]] == []
    assert after == rows_before
    assert files(media) == files_before


def test_what_restore_and_backup_refuse(demo, users, tmp_path):
    call_command("backup", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="already holds data.*--force"):
        call_command("restore", str(tmp_path / "b"))

    newer = tmp_path / "newer"
    shutil.copytree(tmp_path / "b", newer)
    manifest = json.loads((newer / "manifest.json").read_text())
    manifest["migrations"]["cases"].append("9999_from_the_future")
    (newer / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="newer version of youlin.*cases.9999_from_the_future"):
        call_command("restore", str(newer), force=True)

    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "b", damaged)
    db_file = damaged / manifest["database"]["file"]
    db_file.write_bytes(db_file.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(damaged), force=True)

    (tmp_path / "unfinished").mkdir()
    with pytest.raises(CommandError, match="not a finished youlin backup"):
        call_command("restore", str(tmp_path / "unfinished"))
    assert Community.objects.exists()  # nothing was touched


def test_restore_with_force_replaces_what_is_there(demo, users, tmp_path, media):
    call_command("backup", str(tmp_path / "b"))
    communities = Community.objects.count()
    cf.register(users.spk_grid, photos=[cf.photo()])  # made after the backup: gone after the restore
    call_command("restore", str(tmp_path / "b"), force=True)
    assert Case.objects.count() == 0 and Community.objects.count() == communities
