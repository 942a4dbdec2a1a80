import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from youlin.cases.tests import factories as f

pytestmark = pytest.mark.django_db


def run(tmp_path, lines: list[str], *args) -> tuple[list[dict], str]:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("intake", "suggest", "--jsonl", str(source), *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_one_line_out_per_line_in(tmp_path):
    rows, err = run(
        tmp_path,
        [
            json.dumps({"id": "a1", "text": "楼道里堆满了杂物"}, ensure_ascii=False),
            json.dumps({"id": 2, "text": "路灯不亮"}, ensure_ascii=False),
        ],
        "--top",
        "5",
    )
    assert [r["id"] for r in rows] == ["a1", 2]
    assert rows[0]["suggestions"][0]["code"] == "06080"
    assert len(rows[0]["suggestions"]) <= 5
    assert {"code", "name", "score"} <= set(rows[1]["suggestions"][0])
    assert rows[0]["party"] is None
    assert "2 line(s), 0 error(s)" in err


def test_bad_lines_get_an_error_with_their_number_and_the_rest_go_on(tmp_path):
    rows, err = run(
        tmp_path,
        [
            "{not json",
            json.dumps({"id": 1, "text": "井盖没了"}, ensure_ascii=False),
            json.dumps(["a", "list"]),
            json.dumps({"id": 3}),
            json.dumps({"id": 4, "text": "路灯不亮", "lat": "north"}, ensure_ascii=False),
            "",
            json.dumps({"id": 5, "text": ""}),
        ],
    )
    assert [r.get("line") for r in rows if "error" in r] == [1, 3, 4, 5]
    assert rows[0]["error"]["code"] == "invalid_json"
    assert rows[1]["id"] == 1 and rows[1]["suggestions"][0]["code"] == "01023"
    assert rows[3]["id"] == 3 and rows[3]["error"]["code"] == "invalid_input"
    assert rows[-1] == {"id": 5, "suggestions": [], "party": None, "place": "", "place_error": "", "confident": False}
    assert "6 line(s), 4 error(s)" in err


def test_a_location_names_the_party(tmp_path, demo):
    lon, lat = f.jia_point()
    rows, _err = run(
        tmp_path, [json.dumps({"id": "x", "text": "楼道里堆满了杂物", "lat": lat, "lon": lon}, ensure_ascii=False)]
    )
    assert rows[0]["party"]["names"] == "天岳恒物业"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("intake", "suggest", "--jsonl", str(tmp_path / "nope.jsonl"))
    with pytest.raises(CommandError, match="--top"):
        call_command("intake", "suggest", "--jsonl", str(tmp_path / "nope.jsonl"), "--top", "50")


def test_eval_prints_accuracy_per_voice_and_major_class(built_model):
    out = io.StringIO()
    call_command("intake", "eval", "--model", str(built_model[0]), stdout=out)
    text = out.getvalue()
    assert "top-1" in text and "per voice" in text and "per major class" in text and "confusions" in text
    assert "hotline" in text and "  06 " in text
