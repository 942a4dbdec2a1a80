"""Checks answers against the GeoReport v2 JSON Schemas (copied beside this file from the shared reference) and
reads the XML answers back into the same shape."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree  # our own answers only

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(_load(path.name), default_specification=DRAFT4))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def validate(name: str, data) -> None:
    """Raise if ``data`` breaks the schema; date-times must also carry a time zone."""
    Draft4Validator(_load(name), registry=_registry()).validate(data)
    rows = data if isinstance(data, list) else [data]
    for row in rows:
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if isinstance(row, dict) and row.get(field):
                assert datetime.fromisoformat(row[field]).tzinfo is not None, (field, row[field])


def xml_root(content: bytes):
    return ElementTree.fromstring(content)  # noqa: S314


def xml_rows(content: bytes, item: str) -> list[dict]:
    return [_element(child) for child in xml_root(content).findall(item)]


def _element(element) -> dict | str:
    children = list(element)
    if not children:
        return element.text or ""
    return {child.tag: _element(child) for child in children}


def as_xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def same_fields(json_rows: list[dict], xml: list[dict]) -> None:
    assert len(json_rows) == len(xml)
    for j, x in zip(json_rows, xml, strict=True):
        assert set(j) == set(x), set(j) ^ set(x)
        for key, value in j.items():
            if isinstance(value, list | dict):
                continue
            assert x[key] == as_xml_text(value), (key, x[key], value)
