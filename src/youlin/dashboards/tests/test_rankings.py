"""Monthly rankings (考核排名): hand-computed scores, ties, the month before, who sees which, the export."""

import io

import pytest
from django.urls import reverse

from youlin.cases import selectors as case_selectors
from youlin.cases import services
from youlin.cases.models import Channel
from youlin.cases.tests import factories as f
from youlin.dashboards import rankings
from youlin.places.models import Compound, Subdistrict

pytestmark = pytest.mark.django_db

NOV = rankings.Month(2026, 11)


def visited(users, point, *, responded, resolved, satisfaction):
    """A case at ``point`` taken through the loop by the district and rated by its reporter's token."""
    case = f.register(users.district, point=point, channel=Channel.RESIDENT, reporter_phone="13900000000")
    d = users.district
    case = f.walk(case, staff=d, handler=d, grid_worker=d)
    return services.case_evaluate(
        actor=None,
        case=case,
        expected_version=case.version,
        responded=responded,
        resolved=resolved,
        satisfaction=satisfaction,
        token=case.tracking_token,
    )


@pytest.fixture
def month(users, clock):
    """November 2026 (the clock starts 11-27):
    广外 (手帕口南街): 满意 (contacted, solved) and 不满意 (contacted, not solved): 10 + 25 + 20 = 55.
    展览路 (阜外东): 满意: 100.   牛街 (钢院): 基本满意 (contacted, solved): 10 + 50 + 36 = 96.
    """
    visited(users, f.jia_point(), responded=True, resolved=True, satisfaction="satisfied")
    visited(users, f.jia_point(), responded=True, resolved=False, satisfaction="dissatisfied")
    visited(
        users,
        f.building_point("月坛北小街1号院", "1号楼"),
        responded=True,
        resolved=True,
        satisfaction="satisfied",
    )
    gy = Compound.objects.filter(community__name="钢院社区").order_by("pk").first()
    visited(users, f.centre(gy.geometry), responded=True, resolved=True, satisfaction="basically_satisfied")


def district_group(user):
    return next(g for g in rankings.peer_groups(user) if g.level == "subdistrict")


def test_sub_districts_ranked_by_the_composite_score(users, month):
    rows = rankings.ranking(district_group(users.district), NOV)
    ranked = [(r.rank, r.name, round(r.measures.score, 1)) for r in rows]
    assert ranked == [(1, "展览路街道", 100.0), (2, "牛街街道", 96.0), (3, "广外街道", 55.0)]
    assert all(r.previous_rank is None and r.rank_change is None for r in rows)  # October had no visit
    october = rankings.ranking(district_group(users.district), NOV.previous)
    assert [r.rank for r in october] == [None, None, None]


def test_ties_share_a_place_unless_one_unit_handled_more_cases():
    m = case_selectors.Measures
    grouped = {
        1: m(registered_count=3, visit_count=1, responded_count=1, resolved_count=1, satisfied_count=1),
        2: m(registered_count=5, visit_count=1, responded_count=1, resolved_count=1, satisfied_count=1),
        3: m(registered_count=3, visit_count=1, responded_count=1, resolved_count=1, satisfied_count=1),
        4: m(registered_count=9),  # no visit: no score, no rank
    }
    assert rankings._ranked(grouped) == {2: 1, 1: 2, 3: 2}


def test_the_change_against_the_month_before(users, month, clock):
    clock.advance(days=5)  # December
    visited(users, f.jia_point(), responded=True, resolved=True, satisfaction="satisfied")
    rows = {r.name: r for r in rankings.ranking(district_group(users.district), NOV.next)}
    guangwai = rows["广外街道"]
    assert (guangwai.rank, guangwai.previous_rank, guangwai.rank_change) == (1, 3, 2)
    assert guangwai.score_change == pytest.approx(100 - 55)


def test_who_sees_which_ranking(users):
    assert rankings.peer_groups(users.spk_resident) == []
    staff_groups = {g.key for g in rankings.peer_groups(users.spk_staff)}
    guangwai = Subdistrict.objects.get(name="广外街道")
    assert staff_groups == {"district", f"s{guangwai.pk}", "units"}
    assert len(rankings.peer_groups(users.district)) == 1 + Subdistrict.objects.count() + 1


def test_the_page_the_export_and_the_dashboards_own_rank(client, users, month):
    from openpyxl import load_workbook

    client.force_login(users.gw_officer)
    page = client.get(reverse("dashboards:ranking"), {"group": "district", "month": "2026-11"})
    assert page.status_code == 200
    table = page.content.decode().split('data-testid="ranking"')[1]
    assert table.index("展览路街道") < table.index("牛街街道") < table.index("广外街道")
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("dashboards:ranking-export"), {"group": "district", "month": "2026-11"}).content)
    )
    sheet = workbook.active
    assert [c.value for c in sheet[3]][:3] == [1, "展览路街道", 100.0]
    assert [c.value for c in sheet[5]][:4] == [3, "广外街道", 55.0, 1.0]
    dashboard = client.get(reverse("dashboards:dashboard")).content.decode()
    assert "广外街道 在全区各街道中第 3 名（共 3 个参与排名）" in dashboard
    # Another sub-district's communities are not this officer's to rank.
    niujie = Subdistrict.objects.get(name="牛街街道")
    other = client.get(reverse("dashboards:ranking"), {"group": f"s{niujie.pk}"}).content.decode()
    assert "钢院社区" not in other.split('data-testid="ranking"')[1]
