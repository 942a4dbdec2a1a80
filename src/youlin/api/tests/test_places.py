"""Places through the API: locate, communities and their structure (public geography)."""

from youlin.cases.tests.factories import jia_point, yard36_open_point


def test_locate_answers_the_place_and_who_answers_for_it(api):
    lon, lat = jia_point()
    data = api(None).get("/places/locate", {"lon": lon, "lat": lat}).json()
    assert data["community"]["name"] == "手帕口南街社区"
    assert data["compound"]["name"] == "手帕口南街36号院" and data["building"]["name"] == "甲楼"
    assert "天岳恒物业" in [d["organisation"]["name"] for d in data["responsible"]]
    assert data["grid_workers"] == []  # names of people only for those who may view the community
    staff = api("spk_staff").get("/places/locate", {"lon": lon, "lat": lat}).json()
    assert staff["grid_workers"]


def test_locate_shared_courtyard_and_outside(api):
    lon, lat = yard36_open_point()
    assert api(None).get("/places/locate", {"lon": lon, "lat": lat}).json()["shared"] is True
    outside = api(None).get("/places/locate", {"lon": 10, "lat": 10})
    assert outside.status_code == 422 and outside.json()["code"] == "outside_jurisdiction"


def test_communities_and_structure(api):
    anonymous = api(None)
    communities = anonymous.get("/places/communities").json()
    spk = next(c for c in communities if c["name"] == "手帕口南街社区")
    assert spk["subdistrict"]["name"] == "广外街道"
    structure = anonymous.get(f"/places/communities/{spk['code']}").json()
    yard = next(c for c in structure["compounds"] if c["name"] == "手帕口南街36号院")
    assert {b["name"] for b in yard["buildings"]} >= {"甲楼"}
    assert structure["grids"]
    geojson = anonymous.get(f"/places/communities/{spk['code']}/geojson").json()
    assert geojson["type"] == "FeatureCollection"
    missing = anonymous.get("/places/communities/000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_categories(api):
    data = api(None).get("/categories").json()
    assert {"code": "06080", "name": "楼道堆物"}.items() <= next(c for c in data if c["code"] == "06080").items()
