"""Read endpoints for meetings and projects: scoped by jurisdiction, nothing for anonymous callers."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(demo):
    from youlin.core.demo import load_demo_cases
    from youlin.deliberation.demo import load_demo_deliberation

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
