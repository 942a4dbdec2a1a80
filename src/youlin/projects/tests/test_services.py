"""Project services: the stages, who may review and post progress, plan versions, weighted progress and the
acceptance that verifies the linked cases."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from youlin.cases.models import CaseEvent, CasePhoto
from youlin.cases.tests.factories import photo
from youlin.deliberation import services as deliberation
from youlin.deliberation.tests import factories as f
from youlin.domain.errors import DomainError
from youlin.notifications.models import Notification
from youlin.projects import selectors, services
from youlin.projects.errors import ProjectError
from youlin.projects.errors import ProjectErrorCode as ErrorCode
from youlin.projects.models import Project

pytestmark = pytest.mark.django_db


def expect(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value
    assert isinstance(info.value, ProjectError), info.value  # a project's own refusal, not deliberation's
    return info.value


def resolution(users):
    paving, junk = f.paving_case(users), f.junk_case(users)
    m = f.meeting(users, cases=[paving, junk])
    (wall,) = f.proposals(users, m, "拆除甲楼单元门东侧墙围，打通微循环；修复停车区路面")
    m.refresh_from_db()
    return deliberation.decision_record(
        actor=users.spk_staff, item=m.agenda_items.get(), expected_version=m.version, method="consensus", proposal=wall
    )


def applied(users) -> Project:
    return services.project_apply(
        actor=users.spk_staff,
        resolution=resolution(users),
        title="36号院微循环道路及停车区路面修复",
        scope="36号院甲楼东侧墙围、北侧停车区",
        plan="拆除墙围\n铺设透水砖",
        budget="85000",
    )


def approved(users, clock) -> Project:
    project = applied(users)
    return services.project_review(
        actor=users.gw_officer, project=project, expected_version=project.version, decision="approve"
    )


def surveyed(users, clock) -> Project:
    project = approved(users, clock)
    services.project_meeting_schedule(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        kind="site_survey",
        starts_at=clock.now + timedelta(days=1),
        place="36号院",
        contractor=f.org("京西市政施工队"),
    )
    project.refresh_from_db()
    return project


def building(users, clock) -> Project:
    project = surveyed(users, clock)
    return services.construction_start(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        planned_start=date(2026, 3, 9),
        planned_end=date(2026, 3, 15),
        milestones=[("拆除墙围", 1), ("路面修复", 3)],
    )


def test_applying_from_a_resolution_links_its_cases_and_tells_the_sub_district(users, clock):
    project = applied(users)
    assert project.status == "applied" and project.budget == Decimal("85000.00")
    assert project.cases.count() == 2 and project.first_reported_at == clock.now
    assert project.plan_versions.get().number == 1
    assert CaseEvent.objects.filter(kind="escalated").count() == 2
    assert Notification.objects.filter(recipient=users.gw_officer, title__startswith="专项申报待审核").exists()
    expect(
        ErrorCode.ALREADY_DONE,
        services.project_apply,
        actor=users.spk_staff,
        resolution=project.resolution,
        title="again",
        scope="x",
        plan="x",
        budget=1,
    )


def test_only_the_sub_district_reviews(users, clock):
    project = applied(users)
    for who in (users.spk_staff, users.spk_secretary, users.zl_officer, users.builder):
        expect(
            ErrorCode.PERMISSION_DENIED,
            services.project_review,
            actor=who,
            project=project,
            expected_version=project.version,
            decision="approve",
        )
    expect(
        ErrorCode.INVALID_INPUT,
        services.project_review,
        actor=users.gw_officer,
        project=project,
        expected_version=project.version,
        decision="return",
    )  # a return needs reasons
    services.project_review(
        actor=users.gw_officer,
        project=project,
        expected_version=project.version,
        decision="return",
        note="请补充预算明细",
    )
    assert project.status == "returned" and project.review_note == "请补充预算明细"
    expect(
        ErrorCode.ILLEGAL_STAGE,
        services.project_review,
        actor=users.gw_officer,
        project=project,
        expected_version=project.version,
        decision="approve",
    )
    services.project_resubmit(actor=users.spk_staff, project=project, expected_version=project.version)
    services.project_review(
        actor=users.gw_officer,
        project=project,
        expected_version=project.version,
        decision="reject",
        note="纳入明年计划",
    )
    assert project.status == "rejected"


def test_a_stale_version_is_a_conflict(users, clock):
    project = applied(users)
    stale = project.version
    services.project_review(actor=users.gw_officer, project=project, expected_version=stale, decision="approve")
    expect(
        ErrorCode.CONFLICT,
        services.project_review,
        actor=users.gw_officer,
        project=project,
        expected_version=stale,
        decision="reject",
        note="x",
    )


def test_illegal_stage_changes_are_refused(users, clock):
    project = applied(users)
    expect(
        ErrorCode.ILLEGAL_STAGE,
        services.construction_start,
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        planned_start=date(2026, 3, 9),
        planned_end=date(2026, 3, 15),
    )
    project = services.project_review(
        actor=users.gw_officer, project=project, expected_version=project.version, decision="approve"
    )
    error = expect(
        ErrorCode.ILLEGAL_STAGE,
        services.construction_start,
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        planned_start=date(2026, 3, 9),
        planned_end=date(2026, 3, 15),
    )
    assert "实地踏勘" in str(error.message)
    expect(
        ErrorCode.ILLEGAL_STAGE, services.progress_post, actor=users.spk_staff, project=project, percent=10, note="x"
    )
    expect(
        ErrorCode.ILLEGAL_STAGE,
        services.project_accept,
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
    )


def test_every_plan_version_is_kept_with_who_changed_what(users, clock):
    project = surveyed(users, clock)
    assert project.survey_meeting.kind == "site_survey"
    invited = {i.organisation.name for i in project.survey_meeting.invitations.all()}
    assert invited == {"广外街道城管办", "手帕口南街社区党委", "京西市政施工队"}
    services.plan_revise(
        actor=users.gw_officer,
        project=project,
        expected_version=project.version,
        scope=project.scope,
        plan="拆除墙围\n铺设透水砖\n加装路灯一盏",
        budget="92000",
        note="实地踏勘后细化：增加照明",
    )
    (latest, first) = selectors.plan_history(project)
    assert latest.version.number == 2 and latest.version.author_label == str(users.gw_officer)
    assert ("+", "加装路灯一盏") in latest.plan_diff and latest.budget_before == Decimal("85000.00")
    assert first.version.plan == "拆除墙围\n铺设透水砖"
    project.refresh_from_db()
    assert project.budget == Decimal("92000.00")


def test_only_the_contractor_and_the_community_post_progress(users, clock):
    project = building(users, clock)
    roofing, paving = project.milestones.all()
    for who in (users.tyh_property, users.gw_officer, users.spk_resident):
        expect(
            ErrorCode.PERMISSION_DENIED,
            services.progress_post,
            actor=who,
            project=project,
            percent=50,
            note="x",
            milestone=roofing,
        )
    services.progress_post(
        actor=users.builder, project=project, percent=100, note="墙围已拆除", milestone=roofing, photos=[photo()]
    )
    assert project.progress == 25  # (1 × 100 + 3 × 0) / 4
    services.progress_post(actor=users.spk_staff, project=project, percent=50, note="路面铺设过半", milestone=paving)
    project.refresh_from_db()
    assert project.progress == round((100 + 3 * 50) / 4)
    expect(
        ErrorCode.INVALID_INPUT, services.progress_post, actor=users.builder, project=project, percent=60, note="x"
    )  # which milestone?


def test_acceptance_verifies_the_cases_with_the_after_photos_and_shows_the_time_taken(users, clock):
    project = building(users, clock)
    roofing, paving = project.milestones.all()
    expect(
        ErrorCode.ILLEGAL_STAGE,
        services.project_accept,
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
    )  # no acceptance meeting yet
    services.project_meeting_schedule(
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
        kind="acceptance",
        starts_at=clock.now,
        place="36号院",
    )
    project.refresh_from_db()
    services.progress_post(actor=users.builder, project=project, percent=100, note="拆除完成", milestone=roofing)
    error = expect(
        ErrorCode.ILLEGAL_STAGE,
        services.project_accept,
        actor=users.spk_staff,
        project=project,
        expected_version=project.version,
    )
    assert "25%" in str(error.message)
    clock.advance(days=7)
    services.progress_post(
        actor=users.builder,
        project=project,
        percent=100,
        note="路面完工",
        milestone=paving,
        photos=[photo((30, 160, 60))],
    )
    expect(
        ErrorCode.PERMISSION_DENIED,
        services.project_accept,
        actor=users.builder,
        project=project,
        expected_version=project.version,
    )
    services.project_accept(actor=users.gw_officer, project=project, expected_version=project.version, note="验收合格")
    assert project.status == "accepted" and project.actual_end == date(2026, 3, 9)
    for case in project.cases.all():
        assert case.status == "verified"
        assert CasePhoto.objects.filter(case=case, kind="after").count() == 1
        assert CaseEvent.objects.filter(case=case, kind="verified", data__project_id=project.pk).exists()
    assert selectors.time_to_acceptance(project) == timedelta(days=7)
    assert selectors.duration_label(selectors.time_to_acceptance(project)) == "7 天 0 小时"
    assert Notification.objects.filter(recipient=users.spk_grid, title__contains="核查通过").count() == 2
    services.project_rate(actor=users.spk_resident, project=project, satisfaction="satisfied", comment="速度快")
    expect(
        ErrorCode.ALREADY_DONE,
        services.project_rate,
        actor=users.spk_resident,
        project=project,
        satisfaction="satisfied",
    )
    expect(
        ErrorCode.PERMISSION_DENIED,
        services.project_rate,
        actor=users.fwd_captain,
        project=project,
        satisfaction="satisfied",
    )
