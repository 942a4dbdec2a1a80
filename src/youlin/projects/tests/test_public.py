"""Projects in public (#14): the meetings of a project are held with its steps, scheduling one returns to the
project, the public community page separates projects under way from completed ones, each with a public page
without personal data, and a case's tracking page links its notice and its project."""

from datetime import date

import pytest
from django.urls import reverse

from youlin.cases.tests import factories as cf
from youlin.cases.tests.factories import photo
from youlin.deliberation import services as deliberation
from youlin.deliberation.tests import factories as f
from youlin.projects import services
from youlin.projects.tests.test_services import applied, approved, building, surveyed

pytestmark = pytest.mark.django_db
PERSONAL = ("孙居民", "赵楼长", "吴委员", "陈社工", "郑队长", "李网格", "王书记", "1380000", "13900001111")


def accepted(users, clock, project=None):
    """A project (by default the 36号院 one from its resolution) taken from approval to acceptance."""
    if project is None:
        project = building(users, clock)
    else:
        services.project_meeting_schedule(
            actor=users.spk_staff,
            project=project,
            expected_version=project.version,
            kind="site_survey",
            starts_at=clock.now,
            place="36号院",
            contractor=f.org("京西市政施工队"),
        )
        project.refresh_from_db()
        project = services.construction_start(
            actor=users.spk_staff,
            project=project,
            expected_version=project.version,
            planned_start=date(2026, 3, 2),
            planned_end=date(2026, 3, 9),
            milestones=[("拆除墙围", 1), ("路面修复", 3)],
        )
    services.project_meeting_schedule(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        kind="acceptance",
        starts_at=clock.now,
        place="36号院",
    )
    project.refresh_from_db()
    for milestone in project.milestones.all():
        services.progress_post(
            actor=users.builder,
            project=project,
            percent=100,
            note=f"{milestone.title}完成",
            milestone=milestone,
            photos=[photo((30, 160, 60))],
        )
    clock.advance(days=7)
    services.project_accept(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        note="路面平整",
        photos=[photo((40, 170, 90))],
    )
    return project


# ---------------------------------------------------------------- the meetings are held with the steps


def test_starting_work_records_the_site_survey_as_held(users, clock):
    project = surveyed(users, clock)
    assert project.survey_meeting.status == "scheduled"
    project.refresh_from_db()
    services.plan_revise(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        scope=project.scope,
        plan=project.plan + "\n加装照明",
        budget="90000",
        note="踏勘后加装照明",
    )
    project.refresh_from_db()
    services.construction_start(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        planned_start=date(2026, 3, 9),
        planned_end=date(2026, 3, 15),
    )
    survey = project.survey_meeting
    survey.refresh_from_db()
    # Before #14 the survey stayed 待召开 for ever.
    assert survey.status == "held" and survey.held_at == clock.now
    assert "京西市政施工队" in survey.minutes and "踏勘后修改方案：踏勘后加装照明" in survey.minutes


def test_acceptance_records_the_acceptance_meeting_as_held(users, clock):
    project = accepted(users, clock)
    meeting = project.acceptance_meeting
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.minutes == "专项“36号院微循环道路及停车区路面修复”验收通过。\n路面平整"


def test_a_meeting_closed_by_hand_keeps_its_minutes(users, clock):
    project = surveyed(users, clock)
    survey = project.survey_meeting
    deliberation.meeting_close(
        actor=users.spk_staff, meeting=survey, expected_version=survey.version, minutes="踏勘纪要：三方到场"
    )
    project.refresh_from_db()
    services.construction_start(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        planned_start=date(2026, 3, 9),
        planned_end=date(2026, 3, 15),
    )
    survey.refresh_from_db()
    assert survey.minutes == "踏勘纪要：三方到场"


def test_scheduling_from_the_project_page_returns_to_the_project(client, users, clock):
    project = approved(users, clock)
    client.force_login(users.spk_staff)
    from youlin.parties.models import Organisation

    response = client.post(
        reverse("projects:act", args=[project.pk, "survey"]),
        {
            "expected_version": project.version,
            "starts_at": "2026-03-03T09:00",
            "place": "36号院",
            "contractor": Organisation.objects.get(name="京西市政施工队").pk,
        },
    )
    # Before #14 it went to the meeting page and never came back.
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="survey-status">待召开' in page and "开工时记为已召开" in page


# ---------------------------------------------------------------- public pages


def test_the_public_community_page_separates_projects_under_way_and_completed(client, users, clock):
    done = accepted(users, clock)
    under_way = services.project_apply(
        actor=users.spk_staff,
        cases_=[f.junk_case(users)],
        title="甲楼门前照明",
        scope="甲楼",
        plan="加装灯具",
        budget=3000,
    )
    under_way = services.project_review(
        actor=users.gw_officer, project=under_way, expected_version=under_way.version, decision="approve"
    )
    hidden = services.project_apply(
        actor=users.spk_staff, cases_=[f.junk_case(users)], title="尚未批准的申报", scope="x", plan="x", budget=1
    )
    page = client.get(reverse("community-public", args=["shoupakou-nanjie"])).content.decode()
    completed = page.split('data-testid="projects-completed"')[1].split("</ul>")[0]
    ongoing = page.split('data-testid="projects-under-way"')[1].split("</ul>")[0]
    # Before #14 an accepted project was listed under 进行中的项目.
    assert done.title in completed and done.title not in ongoing
    assert under_way.title in ongoing and under_way.title not in completed
    assert hidden.title not in page
    assert reverse("project-public", args=["shoupakou-nanjie", done.pk]) in completed


def test_the_public_project_page_shows_before_after_milestones_and_dates_without_personal_data(client, users, clock):
    reported = [
        cf.register(users.spk_grid, point=f.point(name), code=code, photos=[photo(colour)])
        for name, code, colour in (
            ("36号院北侧停车区", "06081", (150, 150, 150)),
            ("甲楼门前电动自行车充电柜", "06082", (110, 80, 40)),
        )
    ]
    project = services.project_apply(
        actor=users.spk_staff,
        cases_=reported,
        title="36号院微循环道路及停车区路面修复",
        scope="36号院",
        plan="拆除墙围\n铺设透水砖",
        budget=85000,
    )
    project = services.project_review(
        actor=users.gw_officer, project=project, expected_version=project.version, decision="approve"
    )
    project = accepted(users, clock, project)
    url = reverse("project-public", args=["shoupakou-nanjie", project.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="before-photo"') == 2  # the two cases' report photos
    assert page.count('data-testid="after-photo"') == 1
    assert "拆除墙围 · 100%" in page and "路面修复 · 100%" in page
    dates = page.split('data-testid="project-dates"')[1].split("</ol>")[0]
    for label in ("居民首次反映", "申报", "街道批准", "开工", "验收"):
        assert label in dates, label
    assert "用时 7 天 0 小时" in page
    for word in PERSONAL:
        assert word not in page, word
    for case in project.cases.all():
        assert case.number not in page and case.tracking_token not in page
    # Only approved projects of the community named in the address are public.
    assert client.get(reverse("project-public", args=["fuwai-dong", project.pk])).status_code == 404
    pending = applied(users)
    assert client.get(reverse("project-public", args=["shoupakou-nanjie", pending.pk])).status_code == 404


def test_the_staff_project_page_links_its_public_page(client, users, clock):
    project = approved(users, clock)
    client.force_login(users.spk_staff)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("project-public", args=["shoupakou-nanjie", project.pk]) in page


def test_the_tracking_page_links_the_notice_and_the_public_project_page(client, users, clock):
    project = accepted(users, clock)
    meeting = project.resolution.item.meeting
    meeting.refresh_from_db()
    notice = deliberation.notice_publish(actor=users.spk_staff, meeting=meeting)
    case = project.cases.order_by("pk").first()
    page = client.get(reverse("track", args=[case.tracking_token])).content.decode()
    assert reverse("deliberation:notice", args=[notice.pk]) in page
    assert reverse("project-public", args=["shoupakou-nanjie", project.pk]) in page
    # Only what is public: no link to the meeting or the project's staff page.
    assert reverse("deliberation:detail", args=[meeting.pk]) not in page
    assert f'href="{reverse("projects:detail", args=[project.pk])}"' not in page


def _images(page: str) -> list[str]:
    import re

    return re.findall(r'<img[^>]+src="([^"]+)"', page)


def _status(client, url: str) -> int:
    response = client.get(url)
    if response.streaming:  # read to its end, which closes the file (``close()`` would close the test's connection)
        b"".join(response.streaming_content)
    return response.status_code


def test_every_photo_the_public_project_page_shows_can_be_fetched_by_anyone(client, users, clock):
    """Before, the project's own photos (its before, progress and acceptance photos) were shown on the public page
    but the media route answered 404 to anyone outside the project's community: broken images for residents."""
    reported = [
        cf.register(users.spk_grid, point=f.point("36号院北侧停车区"), code="06081", photos=[photo((150,) * 3)])
    ]
    project = services.project_apply(
        actor=users.spk_staff, cases_=reported, title="36号院路面修复", scope="36号院", plan="铺设透水砖", budget=85000
    )
    project = services.project_review(
        actor=users.gw_officer, project=project, expected_version=project.version, decision="approve"
    )
    project = accepted(users, clock, project)
    page = client.get(reverse("project-public", args=["shoupakou-nanjie", project.pk])).content.decode()
    images = _images(page)
    assert len(images) >= 4  # the case's report photo, two progress photos, the acceptance photo
    for src in images:
        assert _status(client, src) == 200, src
    # A resident of the community, on the project's own page, sees the same photos.
    client.force_login(users.spk_resident)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    if response.status_code == 200:
        for src in _images(response.content.decode()):
            assert _status(client, src) == 200, src


def test_a_project_not_yet_approved_keeps_its_photos_to_its_community(client, users, clock):
    from youlin.photos.services import photo_create
    from youlin.projects.models import ProjectPhoto

    project = applied(users)
    stored = photo_create(actor=users.spk_staff, upload=photo((10, 20, 30)))
    ProjectPhoto.objects.create(project=project, photo=stored, kind=ProjectPhoto.Kind.BEFORE)
    client.force_login(users.spk_resident)
    assert _status(client, stored.thumbnail.url) == 404
    client.force_login(users.spk_staff)
    assert _status(client, stored.thumbnail.url) == 200


def test_a_label_ends_with_its_languages_own_colon(client, users, clock, settings):
    """Before, English pages read "Related case：" and "Based on resolution：" (the full-width colon was outside the
    translated label)."""
    project = approved(users, clock)
    client.force_login(users.spk_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Related case: " in page and "Related case：" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "相关案件：" in client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def test_a_resident_reads_the_builders_name_masked_on_the_project_page(client, users, clock):
    """Before, the construction progress named its author in full to every resident of the community (郑队长)."""
    project = accepted(users, clock)
    url = reverse("projects:detail", args=[project.pk])
    client.force_login(users.spk_resident)
    page = client.get(url).content.decode()
    assert 'data-testid="update"' in page and "郑队长" not in page and "郑**" in page
    client.force_login(users.spk_staff)
    assert "郑队长" in client.get(url).content.decode()
