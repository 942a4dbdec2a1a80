"""Read endpoints for meetings and projects: scoped by jurisdiction, nothing for anonymous callers."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(demo):
    from youlin.demo.cases import load_demo_cases
    from youlin.demo.deliberation import load_demo_deliberation

    load_demo_cases()
    load_demo_deliberation()


def test_meetings_and_projects_follow_jurisdiction(api, story):
    staff = api("spk_staff")
    meetings = staff.get("/meetings").json()
    assert meetings and all(m["community"] == "手帕口南街社区" for m in meetings)
    detail = staff.get(f"/meetings/{meetings[-1]['id']}").json()
    assert any(item["cases"] for item in detail["agenda"])
    projects = staff.get("/projects").json()
    assert projects and projects[0]["cases"]
    other = api("fwd_staff")
    assert other.get("/meetings").json() == []
    assert other.get(f"/meetings/{meetings[-1]['id']}").status_code == 404
    assert other.get("/projects").json() == []
    assert api(None).get("/meetings").status_code == 401


def test_ledgers_and_campaigns_follow_jurisdiction(api, demo):
    from youlin.demo.cases import load_demo_cases
    from youlin.demo.ledgers import load_demo_ledgers

    load_demo_cases()
    load_demo_ledgers()
    staff = api("fwd_staff")
    ledgers = staff.get("/ledgers").json()
    assert ledgers and all(x["community"] == "阜外东社区" for x in ledgers)
    first = staff.get(f"/ledgers/{ledgers[0]['id']}/entries", {"limit": 5}).json()
    assert len(first) == 5 and [e["seq"] for e in first] == sorted(e["seq"] for e in first)
    after = staff.get(f"/ledgers/{ledgers[0]['id']}/entries", {"limit": 5, "after_seq": first[-1]["seq"]}).json()
    assert after and after[0]["seq"] > first[-1]["seq"]
    campaigns = staff.get("/campaigns").json()
    piles = next(c for c in campaigns if c["title"] == "清理堆物堆料")
    assert piles["done"] == 65 and piles["continuing"]
    other = api("spk_staff")
    assert other.get("/ledgers").json() == []
    assert other.get(f"/ledgers/{ledgers[0]['id']}/entries").status_code == 404
    assert api(None).get("/campaigns").status_code == 401
