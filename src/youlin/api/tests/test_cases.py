"""Cases through the JSON API: the same loop, permissions and errors as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from youlin.cases.models import Case, Channel
from youlin.cases.tests.factories import jia_point, photo, register, walk


def _new(api_client, point=None, language=None, **extra):
    lon, lat = point or jia_point()
    data = {"category": "06080", "description": "楼道里堆了旧家具", "lon": lon, "lat": lat, **extra}
    return api_client.post_form("/cases", data, language=language)


def test_grid_worker_files_a_case_with_photos(api, media):
    response = _new(api("spk_grid"), channel="patrol", photos=[photo(), photo((0, 90, 0), "b.jpg")])
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "patrol" and data["building"]["name"] == "甲楼"
    assert [a["organisation"]["name"] for a in data["assignments"]] == ["天岳恒物业"]
    assert len(data["photos"]) == 2 and data["photos"][0]["url"].startswith("http://testserver/")
    assert [e["kind"] for e in data["timeline"]] == ["registered", "routed"]


def test_resident_files_through_the_api_channel(api):
    response = _new(api("spk_resident"))
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.channel == Channel.API and case.reporter.name == "孙居民"


def test_anonymous_sees_no_case_and_cannot_file(api, users):
    register(users.spk_grid)
    anonymous = api(None)
    assert anonymous.get("/cases").json() == {"items": [], "next_cursor": None}
    response = _new(anonymous)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated" and "Bearer" in response.json()["message"]
    bad = api(None)
    bad.headers = {"Authorization": "Bearer yl_nope"}
    assert bad.get("/cases").status_code == 401 and bad.get("/cases").json()["code"] == "invalid_token"


def test_revoked_token_is_refused(api, users):
    from youlin.api.models import ApiToken
    from youlin.api.services import token_revoke

    staff = api("spk_staff")
    assert staff.get("/cases").status_code == 200
    token_revoke(actor=users.spk_staff, token=ApiToken.objects.get(user=users.spk_staff))
    assert staff.get("/cases").status_code == 401


def test_list_filters_and_keyset_pages(api, users):
    cases = [register(users.spk_grid) for _n in range(5)]
    staff = api("spk_staff")
    first = staff.get("/cases", {"limit": 2, "q": "楼道"}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = staff.get("/cases", {"limit": 2, "q": "楼道", "cursor": first["next_cursor"]}).json()
    seen = [c["number"] for c in first["items"] + second["items"]]
    assert len(set(seen)) == 4 and seen == sorted(seen, reverse=True)
    assert [c["number"] for c in staff.get("/cases", {"q": cases[3].number}).json()["items"]] == [cases[3].number]
    assert staff.get("/cases", {"status": "closed", "q": "楼道"}).json()["items"] == []
    assert len(staff.get("/cases", {"status": "open", "channel": "patrol", "q": "楼道"}).json()["items"]) == 5
    bad = staff.get("/cases", {"status": "whatever"})
    assert bad.status_code == 422 and "status" in bad.json()["fields"]


def test_property_company_lists_only_cases_routed_to_it(api, users):
    from youlin.cases.tests.factories import public_point

    mine = register(users.spk_grid)
    other = register(users.spk_grid, point=public_point())
    numbers = {c["number"] for c in api("tyh_property").get("/cases").json()["items"]}
    assert mine.number in numbers and other.number not in numbers
    assert api("tyh_property").get(f"/cases/{other.number}").status_code == 404


def test_list_query_count_is_pinned(api, users, django_assert_num_queries):
    for _n in range(3):
        register(users.spk_grid)
    staff = api("spk_staff")
    staff.get("/cases")  # marks the token used
    # token + user, person, memberships, the page: however many cases there are.
    with django_assert_num_queries(4):
        few = len(staff.get("/cases").json()["items"])
    for _n in range(3):
        register(users.spk_grid)
    with django_assert_num_queries(4):
        assert len(staff.get("/cases").json()["items"]) == few + 3


def test_the_whole_loop_through_action_endpoints(api, users, media):
    number = _new(api("spk_resident")).json()["number"]
    staff, handler, grid = api("spk_staff"), api("tyh_property"), api("spk_grid")

    def step(client, action, **body):
        version = client.get(f"/cases/{number}").json()["version"]
        response = client.post(f"/cases/{number}/{action}", {"expected_version": version, **body})
        assert response.status_code == 200, response.content
        return response.json()

    assert "dispatch" in staff.get(f"/cases/{number}").json()["actions"]
    step(staff, "dispatch", note="请尽快处理")
    step(handler, "accept")
    step(handler, "start")
    version = handler.get(f"/cases/{number}").json()["version"]
    done = handler.post_form(f"/cases/{number}/report_done", {"expected_version": version, "photos": [photo()]})
    assert done.status_code == 200, done.content
    assert done.json()["photos"][0]["kind"] == "after"
    version = grid.get(f"/cases/{number}").json()["version"]
    assert grid.post_form(f"/cases/{number}/verify", {"expected_version": version, "passed": "true"}).status_code == 200
    step(staff, "close")
    data = step(
        api("spk_resident"), "evaluate", responded=True, resolved=True, satisfaction="satisfied", comment="很快"
    )
    assert data["status"] == "evaluated" and data["satisfaction"] == "satisfied"
    assert [e["kind"] for e in data["timeline"]][-1] == "evaluated"


def test_conflict_illegal_step_and_permission_have_their_codes(api, users):
    case = register(users.spk_grid)
    staff = api("spk_staff")
    stale = staff.post(f"/cases/{case.number}/dispatch", {"expected_version": case.version + 5})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    illegal = staff.post(f"/cases/{case.number}/close", {"expected_version": case.version})
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    denied = api("spk_grid").post(f"/cases/{case.number}/dispatch", {"expected_version": case.version})
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    missing = staff.post(f"/cases/{case.number}/void", {"expected_version": case.version})
    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    foreign = api("zl_officer").post(f"/cases/{case.number}/dispatch", {"expected_version": case.version})
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"


def test_reroute_extension_supervise(api, users, clock):
    case = register(users.spk_grid)
    staff, handler = api("spk_staff"), api("tyh_property")
    from youlin.parties.models import Organisation

    office = Organisation.objects.get(name="广外街道城管办")
    pm = Organisation.objects.get(name="天岳恒物业")
    rerouted = staff.post(
        f"/cases/{case.number}/reroute",
        {"expected_version": case.version, "organisations": [office.pk], "reason": "公共区域"},
    ).json()
    assert [a["organisation"]["name"] for a in rerouted["assignments"]] == ["广外街道城管办"]
    back = staff.post(
        f"/cases/{case.number}/reroute",
        {"expected_version": rerouted["version"], "organisations": [pm.pk], "reason": "楼内"},
    ).json()
    dispatched = staff.post(f"/cases/{case.number}/dispatch", {"expected_version": back["version"]}).json()
    later = (timezone.now() + timedelta(days=10)).isoformat()
    asked = handler.post(
        f"/cases/{case.number}/extension_request",
        {"expected_version": dispatched["version"], "requested_deadline": later, "reason": "等待配件"},
    )
    assert asked.status_code == 200, asked.content
    assert "extension_decide" in staff.get(f"/cases/{case.number}").json()["actions"]
    from youlin.cases.models import CaseExtension

    extension = CaseExtension.objects.get(case__number=case.number)
    decided = staff.post(
        f"/cases/{case.number}/extension_decide",
        {"expected_version": asked.json()["version"], "extension": extension.pk, "approve": True},
    )
    assert decided.status_code == 200 and decided.json()["deadline"].startswith(later[:10])
    clock.advance(days=11)
    supervised = staff.post(f"/cases/{case.number}/supervise", {"expected_version": decided.json()["version"]})
    assert supervised.status_code == 200 and supervised.json()["timeline"][-1]["kind"] == "supervised"


def test_support_and_merge(api, users):
    first = register(users.spk_grid)
    duplicate = register(users.spk_grid)
    staff = api("spk_staff")
    assert staff.post(f"/cases/{first.number}/support").json() == {"number": first.number, "support_count": 1}
    again = staff.post(f"/cases/{first.number}/support")
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    # A resident may +1 a case they may not open: counted, answered as for a number that does not exist.
    resident = api("spk_resident")
    assert resident.post(f"/cases/{first.number}/support").json() == {"number": first.number, "support_count": None}
    assert resident.post(f"/cases/{first.number}/support").status_code == 200
    first.refresh_from_db()
    assert first.support_count == 2
    assert api(None).post(f"/cases/{first.number}/support").status_code == 401
    merged = staff.post(
        f"/cases/{duplicate.number}/merge",
        {"expected_version": duplicate.version, "survivor": first.number, "reason": "重复"},
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == first.number


def test_nearby_is_public(api, users):
    case = register(users.spk_grid)
    lon, lat = jia_point()
    rows = api(None).get("/cases/nearby", {"category": "06080", "lon": lon, "lat": lat}).json()
    assert case.number in [r["number"] for r in rows]
    assert "description" not in rows[0]


def test_reporter_is_masked_for_those_who_do_not_manage(api, users):
    number = _new(api("spk_resident")).json()["number"]
    walk(
        Case.objects.get(number=number),
        staff=users.spk_staff,
        handler=users.tyh_property,
        grid_worker=users.spk_grid,
        to="dispatched",
    )
    assert api("spk_staff").get(f"/cases/{number}").json()["reporter"]["name"] == "孙居民"
    seen_by_handler = api("tyh_property").get(f"/cases/{number}").json()["reporter"]
    assert seen_by_handler["masked"] is True and seen_by_handler["name"] == "孙**"


@pytest.mark.parametrize(
    ("extra", "status", "field"),
    [
        ({"category": "99999"}, 422, "category"),
        ({"lon": 10, "lat": 10}, 422, "location"),
        ({"description": ""}, 422, "description"),
        ({"channel": "hotline"}, 403, None),
    ],
)
def test_create_errors(api, extra, status, field):
    response = _new(api("spk_resident"), **extra)
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if field:
        assert field in body["fields"]


def test_messages_follow_accept_language(api, users):
    anonymous_phone = api("district")
    response = _new(anonymous_phone, channel="resident", language="en")
    chinese = _new(anonymous_phone, channel="resident")
    assert chinese.json()["message"] == "请留下联系电话，便于回访。"
    assert response.json()["message"] == "Please leave a contact phone number so we can follow up with you."


def test_reroute_refuses_an_organisation_outside_the_community_and_its_sub_district(api, users):
    from youlin.parties.models import Organisation

    case = register(users.spk_grid)
    foreign = Organisation.objects.exclude(community__subdistrict=case.community.subdistrict).exclude(
        subdistrict=case.community.subdistrict
    )
    answer = api("spk_staff").post(
        f"/cases/{case.number}/reroute",
        {"expected_version": case.version, "organisations": [foreign.first().pk], "reason": "x"},
    )
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_input"
    assert "organisations" in answer.json()["fields"]


def test_extension_decide_on_a_missing_request_is_404_with_the_field(api, users):
    case = register(users.spk_grid)
    answer = api("spk_staff").post(
        f"/cases/{case.number}/extension_decide",
        {"expected_version": case.version, "extension": 999999, "approve": True},
    )
    assert answer.status_code == 404 and answer.json()["fields"] == {"extension": answer.json()["message"]}
