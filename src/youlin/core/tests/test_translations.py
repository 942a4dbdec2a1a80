"""English is complete: every string marked for translation has an English text in some catalogue.

The strings are extracted the way ``makemessages`` does (GNU xgettext over the Python files and Django's
templatize over the templates), from a copy of the package so nothing in the tree changes. The catalogues are
the project's (``youlin/locale``) and each app's own (``youlin/<app>/locale``), as Django merges them.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]


def _catalogue_entries() -> dict[str, polib.POEntry]:
    found: dict[str, polib.POEntry] = {}
    for po in sorted(PACKAGE.glob("**/locale/en/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(po)):
            if entry.translated() and not entry.obsolete:
                found.setdefault(entry.msgid, entry)
    return found


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_marked_string_has_english(tmp_path):
    copy = tmp_path / "youlin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "tests"))
    (copy / "locale").mkdir()
    script = (
        "import django, os, sys;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'youlin.settings');"
        "django.setup();"
        "from django.core.management import call_command;"
        "os.chdir(sys.argv[1]);"
        "call_command('makemessages', locale=['en'], no_location=True, verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", script, str(copy)], check=True, capture_output=True, timeout=300)  # noqa: S603
    extracted = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    known = _catalogue_entries()
    missing = sorted(e.msgid for e in extracted if e.msgid and e.msgid not in known)
    assert not missing, f"{len(missing)} string(s) without English, e.g.:\n" + "\n".join(missing[:400])
