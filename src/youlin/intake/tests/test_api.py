import pytest

from youlin.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def post(client, body):
    return client.post("/api/v1/intake/suggest", body, content_type="application/json")


def test_suggest_returns_categories_and_party(client, demo):
    lon, lat = f.jia_point()
    response = post(client, {"text": "楼道里堆满了杂物，过不去人", "lon": lon, "lat": lat})
    assert response.status_code == 200
    body = response.json()
    assert body["suggestions"][0]["code"] == "06080"
    assert body["suggestions"][0]["reason"]
    assert body["party"]["names"] == "天岳恒物业"
    assert body["confident"] is True


@pytest.mark.parametrize(
    "text", ["", "！！！。。。", "😭😭", "hello world", "井" * 10000, "樓道裡堆滿了雜物", "路灯 broken 了💡"]
)
def test_bad_text_gets_a_clear_answer(client, text):
    response = post(client, {"text": text})
    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)


def test_invalid_input_has_the_api_error_shape(client):
    response = post(client, {"text": "路灯不亮", "lat": 200})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input" and "lat" in body["fields"]
    response = post(client, {"lat": 39.9})
    assert response.status_code == 422 and "text" in response.json()["fields"]
    too_long = post(client, {"text": "x" * 20001})
    assert too_long.status_code == 422


def test_the_endpoint_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/intake/suggest"]["post"]
    assert "intake" in operation["tags"]
    assert "422" in operation["responses"]
