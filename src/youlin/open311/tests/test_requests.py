"""POST and GET requests: a case filed through Open311 is routed like any other and followed through GET."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from youlin.cases.models import Case, Channel
from youlin.cases.tests.factories import jia_point, walk, yard36_open_point
from youlin.open311.tests.schema import same_fields, validate, xml_rows

PHONE = "13912345678"


def post(client, key, fmt="json", **params):
    data = {"api_key": key, "service_code": "06080", "description": "楼道里堆了旧家具", "phone": PHONE, **params}
    return client.post(f"/open311/v2/requests.{fmt}", data)


def located(point):
    lon, lat = point
    return {"lat": f"{lat:.7f}", "long": f"{lon:.7f}"}


def test_post_files_a_case_routed_like_any_other(client, users, key):
    response = post(client, key, **located(jia_point()), first_name="小明", last_name="孙")
    assert response.status_code == 201
    [answer] = response.json()
    case = Case.objects.get(number=answer["service_request_id"])
    assert answer["token"] and "处置期限" in answer["service_notice"]
    assert case.channel == Channel.API and case.channel_detail == "12345平台"
    assert case.reporter_name == "孙 小明" and case.reporter_phone == PHONE
    assert case.building.name == "甲楼"
    assert [a.organisation.name for a in case.assignments.all()] == ["天岳恒物业"]
    # It shows up in the community's case list, like a case filed on the page.
    client.force_login(users.spk_staff)
    assert case.number in client.get(reverse("cases:list")).content.decode()


def test_state_changes_are_visible_through_get(client, users, key):
    number = post(client, key, **located(jia_point())).json()[0]["service_request_id"]
    first = client.get(f"/open311/v2/requests/{number}.json").json()
    validate("requests.json", first)
    assert first[0]["status"] == "open" and first[0]["agency_responsible"] == "天岳恒物业"
    assert first[0]["service_code"] == "06080" and first[0]["service_name"] == "楼道堆物"
    assert first[0]["requested_datetime"].endswith("+08:00")
    case = Case.objects.get(number=number)
    case = walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="accepted")
    from youlin.cases import services

    services.case_start(
        actor=users.tyh_property,
        case=case,
        expected_version=case.version,
        note="王经理 13800001111",
        public_note="已安排清运",
    )
    middle = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert middle["status"] == "open" and middle["status_notes"] == "已安排清运"
    assert "13800001111" not in str(middle)  # the internal note stays inside
    walk(Case.objects.get(number=number), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    last = client.get(f"/open311/v2/requests/{number}.json").json()
    validate("requests.json", last)
    assert last[0]["status"] == "closed" and last[0]["status_notes"] == "结案"
    xml = client.get(f"/open311/v2/requests/{number}.xml")
    same_fields(last, xml_rows(xml.content, "request"))


def test_get_leaks_no_reporter(client, users, key):
    number = post(client, key, **located(jia_point()), first_name="小明", last_name="孙").json()[0][
        "service_request_id"
    ]
    body = client.get(f"/open311/v2/requests/{number}.json").content.decode()
    assert PHONE not in body and "小明" not in body


@pytest.mark.parametrize(
    ("address", "building", "shared"),
    [("手帕口南街36号院甲楼", "甲楼", False), ("北京市西城区 手帕口南街36号院", None, True)],
)
def test_address_string_names_a_place_of_the_data(client, users, key, address, building, shared):
    response = post(client, key, address_string=address)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.compound.name == "手帕口南街36号院"
    assert (case.building.name if case.building else None) == building
    assert case.needs_deliberation is shared  # the courtyard of three owner units goes to all of them
    assert case.address == address
    # Routed exactly as a case located on the map at such a point.
    if shared:
        lon, lat = yard36_open_point()
        twin = post(client, key, **located((lon, lat))).json()[0]["service_request_id"]
        assert {a.organisation_id for a in case.assignments.all()} == {
            a.organisation_id for a in Case.objects.get(number=twin).assignments.all()
        }


def test_unresolvable_address_is_a_clear_400(client, demo, key):
    before = Case.objects.count()
    response = post(client, key, address_string="朝阳区某某路1号")
    assert response.status_code == 400
    assert "address_string" in response.json()[0]["description"]
    assert Case.objects.count() == before


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "o311_wrong"}, 403, "api_key"),
        ({"service_code": "99999"}, 404, "99999"),
        ({"service_code": ""}, 400, "service_code"),
        ({"description": "长" * 4001}, 400, "4000"),
        ({"description": ""}, 400, "description"),
        ({"lat": "", "long": ""}, 400, "lat"),
        ({"lat": "abc"}, 400, "lat"),
        ({"lat": "10", "long": "10"}, 400, "社区"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"jurisdiction_id": "110105"}, 404, "110102"),
    ],
)
def test_post_errors(client, demo, key, params, status, words):
    before = Case.objects.count()
    data = {**located(jia_point()), **params}
    data.setdefault("api_key", key)
    response = post(client, **{"key": data.pop("api_key")}, **data)
    assert response.status_code == status, response.content
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    assert Case.objects.count() == before


@pytest.mark.parametrize("phone", [None, ""])
def test_phone_is_optional_as_georeport_says(client, users, key, phone):
    # GeoReport v2: phone is optional; the case is recorded without a callback number.
    data = {"api_key": key, "service_code": "06080", "description": "楼道里堆了旧家具", **located(jia_point())}
    if phone is not None:
        data["phone"] = phone
    response = client.post("/open311/v2/requests.json", {**data, "email": "a@example.org"})
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.reporter_phone == "" and case.channel == Channel.API
    assert case.open311_submission.email == "a@example.org"


def test_post_errors_in_xml(client, demo):
    response = post(client, "nope", fmt="xml", **located(jia_point()))
    assert response.status_code == 403
    [error] = xml_rows(response.content, "error")
    assert error["code"] == "403" and "api_key" in error["description"]


def test_attributes_are_checked_kept_and_written_into_the_description(client, users, key):
    point = located(jia_point())
    missing = post(client, key, service_code="10080", **point)
    assert missing.status_code == 400 and "charging_place" in missing.json()[0]["description"]
    wrong = post(client, key, service_code="10080", **point, **{"attribute[charging_place]": "roof"})
    assert wrong.status_code == 400
    ok = post(client, key, service_code="10080", **point, **{"attribute[charging_place]": "stairwell"})
    assert ok.status_code == 201
    case = Case.objects.get(number=ok.json()[0]["service_request_id"])
    assert case.open311_submission.attributes == {"charging_place": "stairwell"}
    assert "充电位置：楼道内" in case.description


def test_media_url_comes_back(client, users, key):
    url = "https://example.org/p/1.jpg"
    number = post(client, key, **located(jia_point()), media_url=url).json()[0]["service_request_id"]
    [row] = client.get(f"/open311/v2/requests/{number}.json").json()
    assert row["media_url"] == url


def test_token_lookup(client, users, key):
    answer = post(client, key, **located(jia_point())).json()[0]
    [row] = client.get(f"/open311/v2/tokens/{answer['token']}.json").json()
    assert row == {"service_request_id": answer["service_request_id"], "token": answer["token"]}
    assert client.get("/open311/v2/tokens/nothing.json").status_code == 404
    xml = client.get(f"/open311/v2/tokens/{answer['token']}.xml")
    assert xml_rows(xml.content, "request")[0]["service_request_id"] == answer["service_request_id"]


def test_get_requests_filters(client, users, key):
    point = located(jia_point())
    a = post(client, key, **point).json()[0]["service_request_id"]
    b = post(client, key, **point, service_code="06082").json()[0]["service_request_id"]
    walk(Case.objects.get(number=b), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)

    def ids(**params):
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 200, response.content
        validate("requests.json", response.json())
        return [r["service_request_id"] for r in response.json() if r["service_request_id"] in {a, b}]

    assert ids() == [b, a]  # newest first
    assert ids(status="open") == [a]
    assert ids(status="closed") == [b]
    assert ids(service_code="06082") == [b]
    assert ids(service_request_id=f"{a},{b}", status="open") == [b, a]  # ids win over other filters
    today = timezone.localdate()
    assert ids(start_date=(today - timedelta(days=1)).isoformat()) == [b, a]
    assert ids(end_date=(today - timedelta(days=1)).isoformat()) == []
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert ids(start_date=future) == []
    xml = client.get("/open311/v2/requests.xml")
    same_fields(client.get("/open311/v2/requests.json").json(), xml_rows(xml.content, "request"))


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-06-01", "end_date": "2026-05-01"}, "end_date"),
        ({"status": "pending"}, "status"),
    ],
)
def test_get_requests_errors(client, demo, params, words):
    response = client.get("/open311/v2/requests.json", params)
    assert response.status_code == 400
    assert words in response.json()[0]["description"]


def test_get_requests_query_count_is_fixed(client, users, key, django_assert_num_queries):
    post(client, key, **located(jia_point()))
    # Cases with their latest note, the organisations responsible, photos: however many cases there are.
    with django_assert_num_queries(3):
        few = len(client.get("/open311/v2/requests.json").json())
    for _n in range(3):
        post(client, key, **located(jia_point()))
    with django_assert_num_queries(3):
        assert len(client.get("/open311/v2/requests.json").json()) == few + 3


def test_rate_limit_on_posts_per_key(client, users, key, settings, rate_window):
    settings.YOULIN_OPEN311_POST_RATE = "2/m"
    point = located(jia_point())
    assert post(client, key, **point).status_code == 201
    assert post(client, key, **point).status_code == 201
    third = post(client, key, **point)
    assert third.status_code == 429
    assert "秒后再试" in third.json()[0]["description"]


def test_oversized_body_is_413(client, demo, key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client, key, **located(jia_point()), email="x" * 2000)
    assert response.status_code == 413
    assert response.json()[0]["code"] == 413


def test_apikey_command_creates_and_revokes(client, users, capsys):
    call_command("apikey", "create", "--name", "随手拍")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    response = post(client, raw, **located(jia_point()))
    assert response.status_code == 201
    assert Case.objects.get(number=response.json()[0]["service_request_id"]).channel_detail == "随手拍"
    call_command("apikey", "revoke", "--name", "随手拍")
    assert post(client, raw, **located(jia_point())).status_code == 403


def test_get_requests_agencies_in_order_and_the_first_before_photo(client, users, key):
    """Each request's organisations in assignment order, and its first "before" photo when it came with no
    ``media_url`` (an "after" photo or a later one is not it); a request with a ``media_url`` keeps it."""
    from django.core.files.storage import default_storage

    from youlin.cases.models import CaseAssignment, CasePhoto
    from youlin.parties.models import Organisation, Responsibility
    from youlin.photos.models import Photo

    plain = Case.objects.get(number=post(client, key, **located(jia_point())).json()[0]["service_request_id"])
    url = "https://example.org/p/1.jpg"
    linked = Case.objects.get(
        number=post(client, key, **located(jia_point()), media_url=url).json()[0]["service_request_id"]
    )
    other = Organisation.objects.exclude(pk__in=plain.assignments.values("organisation")).order_by("-pk").first()
    CaseAssignment.objects.create(case=plain, organisation=other, duty=Responsibility.Duty.choices[0][0])

    def photo(name):
        return Photo.objects.create(image=f"photos/2026/11/{name}.jpg", thumbnail=f"photos/thumbs/{name}.jpg")

    for case in (plain, linked):
        CasePhoto.objects.create(case=case, photo=photo(f"after-{case.pk}"), kind=CasePhoto.Kind.AFTER)
        CasePhoto.objects.create(case=case, photo=photo(f"first-{case.pk}"), kind=CasePhoto.Kind.BEFORE)
        CasePhoto.objects.create(case=case, photo=photo(f"second-{case.pk}"), kind=CasePhoto.Kind.BEFORE)
    ids = f"{plain.number},{linked.number}"
    for params in ({"service_request_id": ids}, {}):
        rows = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json", params).json()}
        assert rows[plain.number]["agency_responsible"] == f"天岳恒物业、{other.name}"
        assert rows[plain.number]["media_url"] == "http://testserver" + default_storage.url(
            f"photos/2026/11/first-{plain.pk}.jpg"
        )
        assert rows[linked.number]["media_url"] == url
        assert rows[linked.number]["agency_responsible"] == "天岳恒物业"


@pytest.mark.parametrize(
    ("codes", "statuses"),
    [([], []), (["06080"], []), (["06080", "06080", "nosuch"], ["open"]), ([], ["closed"]), ([], ["open", "closed"])],
)
def test_search_from_sql_kept_per_process_gives_the_querysets_rows(client, users, key, codes, statuses):
    """``requests_search`` runs SQL compiled once per shape; its rows are the ORM's ``.values()`` rows."""
    from youlin.open311 import selectors

    number = post(client, key, **located(jia_point())).json()[0]["service_request_id"]
    case = walk(
        Case.objects.get(number=number), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid
    )
    post(client, key, **located(jia_point()), service_code="06080")
    assert case.status == "closed"
    start, end = timezone.now() - timedelta(days=80), timezone.now() + timedelta(minutes=1)
    for _ in range(2):  # compiled, then kept
        found = selectors.requests_search(start=start, end=end, service_codes=codes, statuses=statuses)
        wanted = selectors.status_filter(statuses) if statuses else []
        assert found.rows == list(selectors._search_queryset(start, end, list(dict.fromkeys(codes)), wanted))
        assert found.rows and all(r["registered_at"].tzinfo is not None for r in found.rows)


def test_rows_written_without_save_have_no_signal_receivers_to_skip(client, users, key, monkeypatch):
    """A registration writes its rows with plain INSERTs (``cases.services.rows``), which skip ``pre_save`` and
    ``post_save``: a receiver connected to one of those models would silently never run. Fail if one appears."""
    from django.db.models import signals

    from youlin.cases.services import rows

    written = set()
    plain = rows._statement

    def spy(objs, *args, **kwargs):
        written.add(type(objs[0]))
        return plain(objs, *args, **kwargs)

    monkeypatch.setattr(rows, "_statement", spy)
    assert post(client, key, **located(jia_point())).status_code == 201
    assert Case in written and len(written) >= 3  # the case, its events, its submission (at least)
    listened = [
        (signal_name, model.__name__)
        for model in written
        for signal_name, signal in (("pre_save", signals.pre_save), ("post_save", signals.post_save))
        if signal.has_listeners(model)
    ]
    assert listened == [], f"these receivers would be skipped by rows.insert (write the model with save()): {listened}"
