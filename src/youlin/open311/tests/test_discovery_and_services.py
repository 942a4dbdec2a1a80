"""GET discovery, services and service definitions: the standard's shapes in JSON and XML."""

from youlin.open311.tests.schema import same_fields, validate, xml_root, xml_rows


def test_discovery_in_both_formats(client, demo):
    data = client.get("/open311/v2/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    xml = client.get("/open311/v2/discovery.xml")
    assert xml["Content-Type"].startswith("text/xml")
    assert b"<specification>http://wiki.open311.org/GeoReport_v2</specification>" in xml.content
    assert b"<format>application/json</format>" in xml.content


def test_services_are_the_matter_categories(client, demo):
    response = client.get("/open311/v2/services.json")
    data = response.json()
    validate("services.json", data)
    by_code = {s["service_code"]: s for s in data}
    assert by_code["06080"]["service_name"] == "楼道堆物"
    assert by_code["06080"]["group"] == "市容环境类"
    assert by_code["10080"]["metadata"] is True  # has attributes
    assert by_code["06013"]["metadata"] is False
    assert all(s["type"] == "realtime" for s in data)
    xml = client.get("/open311/v2/services.xml")
    same_fields(data, xml_rows(xml.content, "service"))


def test_service_definition(client, demo):
    data = client.get("/open311/v2/services/10080.json").json()
    validate("service-definition.json", data)
    attribute = data["attributes"][0]
    assert attribute["code"] == "charging_place"
    assert attribute["datatype"] == "singlevaluelist" and attribute["required"] is True
    assert {"key": "stairwell", "name": "楼道内"} in attribute["values"]
    plain = client.get("/open311/v2/services/06013.json").json()
    validate("service-definition.json", plain)
    assert plain["attributes"] == []
    root = xml_root(client.get("/open311/v2/services/10080.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "10080"
    assert root.findtext("attributes/attribute/code") == "charging_place"
    assert root.findtext("attributes/attribute/required") == "true"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")][0] == "stairwell"


def test_unknown_service_is_404_in_the_standards_error_format(client, demo):
    response = client.get("/open311/v2/services/99999.json")
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404 and "99999" in error["description"]
    xml = client.get("/open311/v2/services/99999.xml")
    assert xml.status_code == 404
    [row] = xml_rows(xml.content, "error")
    assert row["code"] == "404" and "99999" in row["description"]


def test_jurisdiction_is_the_district_code(client, demo):
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "110102"}).status_code == 200
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "110105"})
    assert response.status_code == 404
    assert "110102" in response.json()[0]["description"]


def test_descriptions_follow_accept_language(client, demo):
    response = client.get("/open311/v2/services/99999.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()[0]["description"]  # English when the .po has it, else the Chinese source
