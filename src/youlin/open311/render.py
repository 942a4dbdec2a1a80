"""Open311 answers in JSON or XML, with the element names the GeoReport v2 specification uses."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring  # building only; nothing is parsed here

from django.http import HttpResponse

from youlin.domain import jsonout

# A list under this key holds elements of this name (XML needs a name for each item).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(SubElement(element, item_name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(element, encoding="unicode").encode()


def respond(fmt: str, data, *, root: str, status: int = 200) -> HttpResponse:
    """``data`` is what the JSON answer holds; XML wraps it in ``root`` (a list becomes that list's items)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(jsonout.dumps(data), status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description) -> HttpResponse:
    return errors(fmt, status, [description])


def errors(fmt: str, status: int, descriptions) -> HttpResponse:
    data = [{"code": status, "description": str(d)} for d in descriptions]
    return respond(fmt, data, root="errors", status=status)
