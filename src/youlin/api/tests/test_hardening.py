"""Limits: oversized bodies get 413, too many POSTs 429, malformed input 400/422 — all in the one error shape."""

import pytest

from youlin.cases.tests.factories import jia_point, register


def test_openapi_and_docs_are_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/cases/{number}/dispatch" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_malformed_json_is_400(api, users):
    case = register(users.spk_grid)
    staff = api("spk_staff")
    response = staff.client.post(
        f"/api/v1/cases/{case.number}/dispatch", "{not json", content_type="application/json", headers=staff.headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_validation_errors_name_the_fields(api, users):
    case = register(users.spk_grid)
    response = api("spk_staff").post(f"/cases/{case.number}/dispatch", {"expected_version": "x"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input" and "expected_version" in response.json()["fields"]


def test_oversized_json_body_is_413(api, users, settings):
    case = register(users.spk_grid)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500
    response = api("spk_staff").post(f"/cases/{case.number}/dispatch", {"expected_version": 1, "note": "x" * 1000})
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_oversized_upload_is_413_before_it_is_read(api, settings):
    from youlin.cases.tests.factories import photo

    settings.YOULIN_API_MAX_BODY_BYTES = 2000
    lon, lat = jia_point()
    big = photo()
    big.file.write(b"\0" * 5000)
    big.file.seek(0)
    response = api("spk_grid").post_form(
        "/cases", {"category": "06080", "description": "x", "lon": lon, "lat": lat, "photos": [big]}
    )
    assert response.status_code == 413 and "MB" in response.json()["message"]


def test_posts_are_rate_limited_per_token_and_per_address(api, users, settings, rate_window):
    settings.YOULIN_API_POST_RATE = "2/m"
    settings.YOULIN_API_ANON_POST_RATE = "1/m"
    case = register(users.spk_grid)
    resident = api("spk_resident")
    first = resident.post(f"/cases/{case.number}/support")
    again = resident.post(f"/cases/{case.number}/support")
    # A case the resident may not open answers a repeated +1 as it answers any number (#13.9a): no 409 that
    # would tell an existing case from a missing one.
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    limited = resident.post(f"/cases/{case.number}/support")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert resident.get("/cases").status_code == 200  # reads are not limited
    anonymous = api(None)
    assert anonymous.post(f"/cases/{case.number}/support").status_code == 401
    assert anonymous.post(f"/cases/{case.number}/support").status_code == 429


def test_rate_parsing():
    import pytest

    from youlin.api.ratelimit import Rate, hit, parse_rate

    assert parse_rate("30/m") == Rate(30, 60) and parse_rate("5/hour") == Rate(5, 3600)
    assert parse_rate("off") is None
    with pytest.raises(ValueError, match="30/m"):
        parse_rate("lots")
    rate = Rate(1, 60)
    assert hit("t", "a", rate, now=120.0).allowed
    verdict = hit("t", "a", rate, now=150.0)
    assert not verdict.allowed and verdict.retry_after == 30
    assert hit("t", "a", rate, now=180.0).allowed  # a new window


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "2026-11-27T09:00:00+08:00~x",
        "not-a-date~12",
        "2026-11-27T09:00:00+08:00~" + "9" * 40,
        "~5",
        "2026-11-27~-3",
    ],
)
def test_a_garbage_cursor_is_422_not_the_first_page(api, users, cursor):
    register(users.spk_grid)
    response = api("spk_staff").get("/cases", {"cursor": cursor})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_cursor" and "cursor" in body["fields"]


def test_the_cursor_given_back_pages_on(api, users):
    for _n in range(3):
        register(users.spk_grid)
    staff = api("spk_staff")
    first = staff.get("/cases", {"limit": 2}).json()
    second = staff.get("/cases", {"limit": 2, "cursor": first["next_cursor"]})
    assert second.status_code == 200
    assert {c["number"] for c in second.json()["items"]}.isdisjoint(c["number"] for c in first["items"])
