"""Page layout rules that hold in every template (a phone is 375 px wide; English labels are the longer ones)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2]


def test_every_table_scrolls_inside_its_own_box():
    """A table wider than a phone scrolls inside a ``.table-responsive`` box instead of pushing the whole page
    sideways (the hotspots' and the dashboard's tables did, in English at 375 px)."""
    offenders = []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            before = text[: match.start()]
            opened = before.rfind("table-responsive")
            # The box must be opened before the table and not closed again in between.
            if (
                opened == -1
                or before.count("<div", opened) < before.count("</div>", opened)
                or (match.start() - opened > 400)
            ):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TEMPLATES)}:{line}")
    assert offenders == []
