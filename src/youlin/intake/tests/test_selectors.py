import logging

import pytest

from youlin.cases.models import Category
from youlin.cases.tests import factories as f
from youlin.intake import selectors
from youlin.intake.selectors import category_search_terms, category_search_text, needs_triage, suggest, suggest_many

pytestmark = pytest.mark.django_db


def test_suggestions_are_active_categories_of_the_database():
    result = suggest("楼道里堆满了纸箱和旧家具")
    first = result.suggestions[0].suggestion
    assert (first.kind, first.code) == ("matter", "06080")
    assert first.category_id == Category.objects.get(kind="matter", code="06080").pk
    assert result.party is None and result.place == ""


def test_an_inactive_category_is_not_suggested():
    Category.objects.filter(kind="matter", code="06080").update(is_active=False)
    selectors.forget_engine()
    codes = [s.suggestion.code for s in suggest("楼道里堆满了纸箱和旧家具", top=10).suggestions]
    assert "06080" not in codes
    assert codes  # something else still answers


def test_a_category_renamed_in_the_admin_is_suggested_under_its_new_name():
    category = Category.objects.get(kind="matter", code="06081")
    category.name = "院内地面铺装破损"
    category.save()  # the signal drops the cached engine
    found = {s.suggestion.code: s.suggestion.name for s in suggest("一下雨楼下就积水，地砖都松了").suggestions}
    assert found["06081"] == "院内地面铺装破损"


def test_a_new_local_category_is_suggested_by_its_name():
    Category.objects.create(
        kind="matter", code="10090", major_code="10", major="其他事项类", name="共享充电宝机柜异常", is_local=True
    )
    codes = [s.suggestion.code for s in suggest("小区门口的共享充电宝机柜坏了").suggestions]
    assert "10090" in codes


def test_with_a_location_each_suggestion_names_the_party(demo):
    lon, lat = f.jia_point()
    result = suggest("楼道里堆满了纸箱和旧家具", lon=lon, lat=lat, parties="all")
    assert result.place.startswith("手帕口南街社区")
    assert result.party is not None
    assert result.party.names == "天岳恒物业"
    assert result.party.duty == "property_manager"
    assert all(s.party is not None for s in result.suggestions)
    assert result.as_dict()["party"]["organisations"][0]["name"] == "天岳恒物业"


def test_by_default_only_the_first_suggestion_is_routed_and_parties_are_kept(demo, django_assert_max_num_queries):
    lon, lat = f.jia_point()
    first = suggest("楼道里堆满了纸箱和旧家具", lon=lon, lat=lat)
    assert first.suggestions[0].party is not None
    assert all(s.party is None for s in first.suggestions[1:])
    with django_assert_max_num_queries(1):  # the party comes from the cache: at most the category recheck
        again = suggest("楼道里堆满了纸箱和旧家具", lon=lon, lat=lat)
    assert again.party == first.party


def test_a_point_outside_every_community_gives_suggestions_without_party(demo):
    result = suggest("路灯不亮", lon=116.0, lat=39.0)
    assert result.suggestions
    assert result.party is None
    assert result.place_error


def test_the_model_missing_falls_back_to_the_term_table(settings, tmp_path, caplog):
    settings.YOULIN_INTAKE_MODEL = tmp_path / "missing.npz"
    selectors._warned.discard(str(settings.YOULIN_INTAKE_MODEL))
    with caplog.at_level(logging.WARNING, logger="youlin.intake.selectors"):
        result = suggest("楼上有人飞线充电")
    assert "10080" in [s.suggestion.code for s in result.suggestions]
    assert "term table only" in caplog.text


def test_batch_suggestions_and_triage():
    batch = suggest_many(["市民来电反映：小区楼道内堆放大量杂物，影响通行", "", "嗯"])
    assert batch[0][0].code == "06080"
    assert not needs_triage(batch[0])
    assert batch[1] == [] and needs_triage(batch[1])


def test_low_confidence_goes_to_triage(settings):
    settings.YOULIN_INTAKE_MIN_CONFIDENCE = 1.0
    assert needs_triage(suggest_many(["楼道里堆满了纸箱"])[0])
    assert not suggest("楼道里堆满了纸箱").confident


def test_picker_terms_carry_synonyms_and_pinyin():
    terms = category_search_terms()
    paving = terms[Category.objects.get(kind="matter", code="06081").pk]
    assert "积水" in paving["terms"]
    assert "js" in paving["initials"]  # 积水
    assert "jishui" in paving["pinyin"]
    sewer = terms[Category.objects.get(kind="matter", code="01002").pk]
    assert "xsd" in sewer["initials"]  # 下水道
    lamp = terms[Category.objects.get(kind="component", code="01037").pk]
    assert "路灯不亮" in lamp["terms"]  # a component is found by its matter's words
    text = category_search_text()[Category.objects.get(kind="matter", code="10080").pk]
    assert "飞线充电" in text and "fxcd" in text
