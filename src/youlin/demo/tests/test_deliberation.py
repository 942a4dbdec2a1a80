"""The demo tells the 36号院 story once, however often it is loaded."""

import pytest

from youlin.deliberation.models import Meeting, Resolution
from youlin.demo.deliberation import load_demo_deliberation
from youlin.projects.models import Project

pytestmark = pytest.mark.django_db


def test_the_demo_story_loads_once(demo_cases):
    meeting = load_demo_deliberation()
    assert meeting is not None and meeting.status == "held"
    resolution = Resolution.objects.get()
    assert resolution.proposal.title.startswith("拆除甲楼单元门东侧墙围")
    # The three owner units sat at the table through representatives and voted, one vote each.
    represented = set(
        meeting.attendances.filter(organisation__kind="owner_unit").values_list("organisation__name", flat=True)
    )
    assert represented == {"京广物资公司", "市政工程研究院", "广外房管所"}
    assert resolution.tally["organisations"] == 5 and resolution.tally["eligible"] == 7
    assert resolution.counts == {"for": 5, "against": 0, "abstain": 1} and "赞成 5，反对 0，弃权 1" in resolution.text
    project = Project.objects.get()
    assert project.status == "under_construction" and project.progress == 62  # (100 + 3 × 50) / 4
    assert project.plan_versions.count() == 2
    assert load_demo_deliberation() is None
    assert Meeting.objects.filter(kind="deliberation").count() == 1 and Project.objects.count() == 1


def test_the_finished_demo_story(demo_cases):
    load_demo_deliberation(finish=True)
    project = Project.objects.get()
    assert project.status == "accepted" and project.ratings.get().satisfaction == "satisfied"
    assert project.survey_meeting.status == "held" and project.acceptance_meeting.status == "held"
    assert {c.status for c in project.cases.all()} == {"closed"}
