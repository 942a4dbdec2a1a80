"""The edge of every interface (``core.edges``): input that is not text — NUL and the other control characters,
bytes that are not UTF-8 — and unreadable or oversized forms are refused before any view runs, each in the shape
of its interface (the API's JSON error with a stable code, Open311's error list, a page). Before the middleware,
NUL gave 500 on PostgreSQL (and was stored on SQLite); bytes that were not UTF-8 were stored as U+FFFD."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from youlin.cases.models import Case
from youlin.cases.tests.factories import jia_point, register
from youlin.open311.tests.schema import xml_rows


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bearer(demo_user):
    from youlin.api.services import token_create

    def make(username: str) -> dict[str, str]:
        _row, raw = token_create(user=demo_user(username), name="tests")
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def open311_key(demo):
    from youlin.open311.services import apikey_create

    _row, raw = apikey_create(name="12345平台")
    return raw


def _open311_post(client, key, fmt="json", **params):
    lon, lat = jia_point()
    data = {
        "api_key": key,
        "service_code": "06080",
        "description": "楼道里堆了旧家具",
        "phone": "13912345678",
        "lat": f"{lat:.7f}",
        "long": f"{lon:.7f}",
        **params,
    }
    return client.post(f"/open311/v2/requests.{fmt}", data)


def _api_create(client, bearer, **extra):
    lon, lat = jia_point()
    data = {"category": "06080", "description": "楼道里堆了旧家具", "lon": lon, "lat": lat, **extra}
    return client.post("/api/v1/cases", data, headers=bearer("spk_resident"))


def _api_note(client, bearer, users, note):
    case = register(users.spk_grid)
    return client.post(
        f"/api/v1/cases/{case.number}/dispatch",
        {"expected_version": case.version, "note": note},
        content_type="application/json",
        headers=bearer("spk_staff"),
    )


BAD = ["a\x00b", "a\x1bb", "a\x08b"]

# (name, interface, how to send the text)
PLACES = {
    "api case create (multipart field)": ("api", lambda c, b, u, t: _api_create(c, b, description=t)),
    "api case create (reporter name)": ("api", lambda c, b, u, t: _api_create(c, b, reporter_name=t)),
    "api step note (JSON)": ("api", lambda c, b, u, t: _api_note(c, b, u, t)),
    "api list filter (query)": ("api", lambda c, b, u, t: c.get("/api/v1/cases", {"q": t}, headers=b("spk_staff"))),
    "api list filter (status)": ("api", lambda c, b, u, t: c.get("/api/v1/cases", {"status": t})),
    "api nearby (query)": ("api", lambda c, b, u, t: c.get("/api/v1/cases/nearby", {"lon": t, "lat": t})),
    "api case detail (path)": ("api", lambda c, b, u, t: c.get(f"/api/v1/cases/{t}")),
    "open311 POST description": ("open311", lambda c, k, u, t: _open311_post(c, k, description=t)),
    "open311 POST phone": ("open311", lambda c, k, u, t: _open311_post(c, k, phone=t)),
    "open311 POST first_name": ("open311", lambda c, k, u, t: _open311_post(c, k, first_name=t)),
    "open311 POST attribute": ("open311", lambda c, k, u, t: _open311_post(c, k, **{"attribute[x]": t})),
    "open311 GET ids": ("open311", lambda c, k, u, t: c.get("/open311/v2/requests.json", {"service_request_id": t})),
    "open311 GET service_code": ("open311", lambda c, k, u, t: c.get("/open311/v2/requests.json", {"service_code": t})),
    "open311 GET request (path)": ("open311", lambda c, k, u, t: c.get(f"/open311/v2/requests/{t}.json")),
    "open311 GET token (path)": ("open311", lambda c, k, u, t: c.get(f"/open311/v2/tokens/{t}.json")),
    "page tracking link (path)": ("page", lambda c, k, u, t: c.get(f"/t/{t}/")),
    "page case list (query)": ("page", lambda c, k, u, t: c.get("/cases/", {"q": t})),
}


@pytest.mark.parametrize("text", BAD, ids=["NUL", "ESC", "BS"])
@pytest.mark.parametrize("place", list(PLACES))
def test_control_characters_are_refused_in_each_interfaces_shape(client, users, bearer, open311_key, place, text):
    interface, send = PLACES[place]
    before = Case.objects.count()
    if place == "page case list (query)":
        client.force_login(users.spk_staff)
    response = send(client, bearer if interface == "api" else open311_key, users, text)
    assert response.status_code == 400, response.content[:300]
    if interface == "api":
        body = response.json()
        assert set(body) == {"code", "message", "fields"}
        assert body["code"] == "invalid_characters"
    elif interface == "open311":
        [error] = response.json()
        assert error["code"] == 400 and "控制字符" in error["description"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert "控制字符" in response.content.decode()
    registered_by_helper = 1 if place == "api step note (JSON)" else 0
    assert Case.objects.count() == before + registered_by_helper


def test_the_refusal_names_the_field_and_speaks_english(client, bearer):
    response = client.post(
        "/api/v1/cases",
        {"category": "06080", "description": "a\x00b", "lon": 1, "lat": 1},
        headers={**bearer("spk_resident"), "Accept-Language": "en"},
    )
    body = response.json()
    assert body["fields"] == {"description": body["message"]}
    assert "control character" in body["message"]


def test_open311_refusal_in_xml(client, open311_key):
    response = _open311_post(client, open311_key, fmt="xml", description="a\x00b")
    assert response.status_code == 400
    [row] = xml_rows(response.content, "error")
    assert row["code"] == "400"


def test_tab_newline_and_return_are_text(client, open311_key):
    response = _open311_post(client, open311_key, description="第一行\r\n\t第二行")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.description.startswith("第一行\r\n\t第二行")


# ---------------------------------------------------------------- bytes that are not UTF-8


def test_open311_post_that_is_not_utf8_is_refused_not_stored_as_replacement(client, open311_key):
    lon, lat = jia_point()
    body = f"api_key={open311_key}&service_code=06080&phone=139&lat={lat}&long={lon}&description=%E6%A5%BC%FF".encode()
    response = client.post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, response.content
    [error] = response.json()
    assert "UTF-8" in error["description"]
    assert not Case.objects.filter(description__contains="\ufffd").exists()


def test_api_json_that_is_not_utf8_is_refused(client, users, bearer):
    case = register(users.spk_grid)
    response = client.post(
        f"/api/v1/cases/{case.number}/dispatch",
        b'{"expected_version": 1, "note": "\xff\xfe"}',
        content_type="application/json",
        headers=bearer("spk_staff"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_encoding"


def test_api_multipart_field_that_is_not_utf8_is_refused(client, bearer):
    lon, lat = jia_point()
    boundary = "XyZ"
    parts = [
        ("category", b"06080"),
        ("description", b"\xe6\xa5\xbc\xff"),
        ("lon", str(lon).encode()),
        ("lat", str(lat).encode()),
    ]
    body = (
        b"".join(
            b"--"
            + boundary.encode()
            + b'\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + value
            + b"\r\n"
            for name, value in parts
        )
        + b"--"
        + boundary.encode()
        + b"--\r\n"
    )
    response = client.post(
        "/api/v1/cases", body, content_type=f"multipart/form-data; boundary={boundary}", headers=bearer("spk_resident")
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_characters"
    assert not Case.objects.filter(description__contains="\ufffd").exists()


def test_query_that_is_not_utf8_is_refused(client):
    response = client.get("/api/v1/cases?q=%FF")
    assert response.status_code == 400 and response.json()["code"] == "invalid_encoding"
    assert response.json()["fields"] == {"q": response.json()["message"]}


# ---------------------------------------------------------------- unreadable and oversized forms


def test_api_multipart_without_boundary_is_the_json_error(client, bearer):
    response = client.post(
        "/api/v1/cases", b"description=x", content_type="multipart/form-data", headers=bearer("spk_resident")
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "bad_request"


def test_open311_multipart_without_boundary_is_its_error_list(client):
    response = client.post("/open311/v2/requests.xml", b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert xml_rows(response.content, "error")[0]["code"] == "400"


@pytest.mark.parametrize("too_much", ["a long field", "too many fields"])
def test_oversized_report_form_comes_back_with_a_message(client, demo, settings, too_much):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    data = {"description": "x" * 5000} if too_much == "a long field" else {f"f{i}": "x" for i in range(50)}
    response = client.post("/report/", data, headers={"Referer": "http://testserver/report/?community=x"})
    assert response.status_code == 303 and response["Location"] == "/report/?community=x"
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert "提交的内容太大" in shown.content.decode() and 'name="description"' in shown.content.decode()


def test_oversized_report_form_in_english(client, demo, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    client.cookies["django_language"] = "en"
    response = client.post("/report/", {"description": "x" * 5000}, follow=True)
    assert "too large" in response.content.decode()


# ---------------------------------------------------------------- page cursors (the same fault on the pages)

HUGE = "9" * 30


@pytest.mark.parametrize(
    "path",
    [
        f"/meetings/?after=2026-11-27T09:00:00%2B08:00~{HUGE}",
        f"/meetings/action-items/?after=2026-11-27~{HUGE}",
        f"/projects/?after=2026-11-27T09:00:00%2B08:00~{HUGE}",
        f"/cases/?after=2026-11-27T09:00:00%2B08:00~{HUGE}",
        "/ledgers/{ledger}/?after=" + HUGE,
    ],
)
def test_a_page_cursor_out_of_range_shows_the_first_page_not_500(client, users, path):
    from youlin.ledgers import services
    from youlin.ledgers.models import Ledger
    from youlin.places.models import Community

    fwd = Community.objects.get(name="阜外东社区")
    ledger = services.ledger_ensure(community=fwd, kind=Ledger.Kind.RECTIFICATION, name="整治台账")
    client.force_login(users.fwd_staff)
    response = client.get(path.format(ledger=ledger.pk))
    assert response.status_code == 200
