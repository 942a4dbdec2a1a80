import csv

import pytest
from django.core.management import call_command

from youlin.cases import categories as data
from youlin.cases.models import Category, RoutingRule, Urgency
from youlin.cases.services import category_load, routing_rule_seed_defaults

pytestmark = pytest.mark.django_db


def csv_row_count() -> int:
    with data.CSV_PATH.open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_the_migration_loaded_every_code_and_the_local_extensions():
    assert csv_row_count() == 403
    assert Category.objects.count() == 403 + len(data.LOCAL_EXTENSIONS)
    assert Category.objects.filter(kind=Category.Kind.COMPONENT).count() == 153
    assert Category.objects.get(kind="matter", code="06036").name == "乱堆杂物"
    assert Category.objects.get(kind="component", code="04002").name == "行道树"
    # The same code names a component and the matter "that component is faulty".
    assert Category.objects.get(kind="matter", code="01001").name == "供水井盖异常"


def test_local_extensions_use_minor_classes_080_to_999():
    local = Category.objects.filter(is_local=True)
    names = set(local.values_list("name", flat=True))
    assert names == {
        "楼道堆物",
        "电动自行车违规充电",
        "小区地砖松动",
        "树坑破损",
        "门前三包不落实",
        "居民安全隐患",
        "物业服务",
        "卫生死角",
        "其他诉求（待分类）",  # where an imported work order nothing matches waits for staff (待分拣)
    }
    for c in local:
        assert 80 <= int(c.code[2:]) <= 999
        assert c.major_code == c.code[:2]
        assert c.kind == Category.Kind.MATTER


@pytest.mark.parametrize(
    ("code", "urgency", "limit"),
    [
        ("01001", Urgency.URGENT, (2, "hours")),  # 供水井盖异常: an open manhole, by the clock
        ("10080", Urgency.URGENT, (2, "hours")),  # 电动自行车违规充电: fire risk
        ("01028", Urgency.UTILITIES, (24, "hours")),  # 电力设施异常
        ("01061", Urgency.UTILITIES, (24, "hours")),  # 露天供热管道异常
        ("06013", Urgency.GENERAL, (5, "working_days")),  # 道路破损
        ("06080", Urgency.GENERAL, (5, "working_days")),  # 楼道堆物
        ("06001", Urgency.COMPLEX, (15, "working_days")),  # 私搭乱建
    ],
)
def test_time_limits_follow_practice(code, urgency, limit):
    c = Category.objects.get(kind="matter", code=code)
    assert (c.urgency, (c.time_limit, c.time_limit_unit)) == (urgency, limit)


def test_loading_again_changes_nothing_and_keeps_staff_tuning():
    assert category_load() == 0
    c = Category.objects.get(kind="matter", code="06013")
    c.time_limit = 72
    c.name = "道路破损（旧名）"
    c.save()
    assert category_load() == 1
    c.refresh_from_db()
    assert (c.name, c.time_limit) == ("道路破损", 72)
    assert Category.objects.count() == 412


def test_loading_into_an_empty_table_recreates_everything():
    RoutingRule.objects.all().delete()
    Category.objects.all().delete()
    assert category_load() == 412
    assert routing_rule_seed_defaults() == len(RoutingRule.objects.all()) > 0
    assert routing_rule_seed_defaults() == 0


def test_management_command(capsys):
    Category.objects.filter(code="06082").delete()
    call_command("loadcategories")
    assert "Categories written: 1" in capsys.readouterr().out
    assert Category.objects.filter(kind="matter", code="06082", name="卫生死角").exists()


def test_default_routing_rules_were_seeded_by_migration():
    keys = set(RoutingRule.objects.values_list("key", flat=True))
    assert {"building-pm", "compound-pm", "public-urban", "zone-garden", "greenery-06017"} <= keys
    assert RoutingRule.objects.get(key="illegal-building").category.name == "私搭乱建"
