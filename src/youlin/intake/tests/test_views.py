import pytest

from youlin.cases.models import Category

pytestmark = pytest.mark.django_db


def test_the_partial_lists_up_to_three_tappable_suggestions(client):
    response = client.get("/intake/suggest/", {"description": "楼道里堆满了纸箱和旧家具"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 1 <= html.count('data-testid="intake-suggestion"') <= 3
    assert (
        client.get("/intake/suggest/", {"description": "院子里一下雨就积水"})
        .content.decode()
        .count('data-testid="intake-suggestion"')
        == 3
    )
    pk = Category.objects.get(kind="matter", code="06080").pk
    assert f'data-category-id="{pk}"' in html
    assert "楼道堆物" in html


def test_the_partial_posts_with_the_form_and_names_the_party(client, demo):
    from youlin.cases.tests import factories as f

    lon, lat = f.jia_point()
    response = client.post("/intake/suggest/", {"description": "楼道里堆满了杂物", "lon": lon, "lat": lat})
    assert "→ 天岳恒物业" in response.content.decode()


def test_nothing_typed_renders_nothing_and_nonsense_says_so(client):
    assert client.get("/intake/suggest/").content.decode().strip() == ""
    html = client.get("/intake/suggest/", {"description": "？？？", "lon": "nan", "lat": "x"}).content.decode()
    assert 'data-testid="intake-no-suggestion"' in html


def test_the_partial_speaks_english(client):
    response = client.get("/intake/suggest/", {"description": "???"}, headers={"Accept-Language": "en"})
    assert "choose from the list" in response.content.decode()
