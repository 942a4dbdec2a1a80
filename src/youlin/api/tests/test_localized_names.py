"""The API names categories in the language the request asks for (Accept-Language)."""

import pytest

from youlin.cases.tests.factories import register

pytestmark = pytest.mark.django_db


def test_categories_and_case_detail_follow_accept_language(api, users):
    anonymous = api(None)
    english = {c["code"]: c for c in anonymous.get("/categories", language="en").json() if c["kind"] == "matter"}
    assert english["06080"]["name"] == "Clutter in stairwells"
    assert english["06013"]["major"] == "City appearance and environment"
    chinese = {c["code"]: c for c in anonymous.get("/categories").json() if c["kind"] == "matter"}
    assert chinese["06080"]["name"] == "楼道堆物" and chinese["06013"]["major"] == "市容环境类"
    case = register(users.spk_grid)
    staff = api("spk_staff")
    assert staff.get(f"/cases/{case.number}", language="en").json()["category"]["name"] == "Clutter in stairwells"
    assert staff.get(f"/cases/{case.number}").json()["category"]["name"] == "楼道堆物"
