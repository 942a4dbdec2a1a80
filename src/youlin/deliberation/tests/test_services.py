"""Meeting services: vote counting, who may vote and decide, stages, notice periods and reminders."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from youlin.cases.models import CaseEvent
from youlin.deliberation import selectors, services
from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import ActionItem, AgendaItem, Meeting, NoticeResponse, Resolution
from youlin.deliberation.tasks import remind_overdue_action_items
from youlin.deliberation.tests import factories as f
from youlin.notifications.models import Notification
from youlin.scheduling import periodic

pytestmark = pytest.mark.django_db


def vote(users, proposal, username, choice):
    return services.vote_cast(actor=users.spk_staff, proposal=proposal, choice=choice, voter=f.person(username))


def decide(users, m, **extra):
    m.refresh_from_db()
    item = m.agenda_items.get()
    return services.decision_record(
        actor=users.spk_staff, item=item, expected_version=m.version, method=extra.pop("method", "vote"), **extra
    )


def raises(code):
    class _Raises:
        def __enter__(self):
            self.ctx = pytest.raises(DeliberationError)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            result = self.ctx.__exit__(*exc)
            assert self.info.value.code == code, self.info.value
            return result

    return _Raises()


# ---------------------------------------------------------------- vote counting


def test_the_adopted_proposal_becomes_the_resolution_and_the_cases_record_it(users, clock):
    paving, junk = f.paving_case(users), f.junk_case(users)
    m = f.meeting(users, cases=[paving, junk])
    f.sign_in_all(users, m)
    wall, fence = f.proposals(users, m, "拆除甲楼单元门东侧墙围，打通微循环", "加装护栏")
    for name in ("spk_committee", "spk_resident", "spk_captain"):
        vote(users, wall, name, "for")
    vote(users, fence, "spk_committee", "against")
    resolution = decide(users, m)
    assert resolution.proposal == wall and resolution.method == "vote"
    assert resolution.tally["eligible"] == 3 and resolution.tally["proposals"][str(wall.pk)]["for"] == 3
    assert AgendaItem.objects.get().status == "adopted"
    for case in (paving, junk):
        event = CaseEvent.objects.filter(case=case, kind="deliberated").get()
        assert "拆除甲楼单元门东侧墙围" in event.note and event.data["resolution"] == resolution.pk
        case.refresh_from_db()
        assert case.status == "registered"  # a record on the timeline, not a step of the loop


def test_quorum_not_met_records_nothing(users, clock):
    m = f.meeting(users, quorum_percent=60)
    f.sign_in_all(users, m)
    (wall,) = f.proposals(users, m, "拆墙")
    vote(users, wall, "spk_committee", "for")  # 1 of 3 eligible voters took part: 33% < 60%
    with raises(ErrorCode.NO_QUORUM) as info:
        decide(users, m)
    assert "法定人数" in str(info.value.message)
    assert not Resolution.objects.exists() and AgendaItem.objects.get().status == "open"
    vote(users, wall, "spk_resident", "abstain")  # abstaining counts toward the quorum: 2 of 3 = 67%
    assert decide(users, m).proposal == wall


def test_a_tie_between_for_and_against_is_no_decision(users, clock):
    m = f.meeting(users)
    f.sign_in_all(users, m, "spk_committee", "spk_resident")
    (wall,) = f.proposals(users, m, "拆墙")
    vote(users, wall, "spk_committee", "for")
    vote(users, wall, "spk_resident", "against")
    assert selectors.tally(m.agenda_items.get()).outcome == "tie"
    with raises(ErrorCode.TIE):
        decide(users, m)
    assert AgendaItem.objects.get().status == "open"


def test_two_proposals_passing_with_as_many_votes_tie(users, clock):
    m = f.meeting(users)
    f.sign_in_all(users, m)
    a, b = f.proposals(users, m, "方案甲", "方案乙")
    for name in ("spk_committee", "spk_resident"):
        vote(users, a, name, "for")
    for name in ("spk_captain", "spk_committee"):
        vote(users, b, name, "for")
    count = selectors.tally(m.agenda_items.get())
    assert [c.passes for c in count.counts] == [True, True] and count.outcome == "tie"


def test_abstentions_count_toward_quorum_but_not_the_threshold(users, clock):
    m = f.meeting(users)
    f.sign_in_all(users, m)
    (wall,) = f.proposals(users, m, "拆墙")
    vote(users, wall, "spk_committee", "for")
    vote(users, wall, "spk_resident", "abstain")
    vote(users, wall, "spk_captain", "abstain")
    count = selectors.tally(m.agenda_items.get())
    assert count.voted == 3 and count.quorum_met and count.counts[0].as_dict() == {"for": 1, "against": 0, "abstain": 2}
    assert decide(users, m).proposal == wall


def test_a_proposal_voted_down_rejects_the_item_without_resolution(users, clock):
    m = f.meeting(users)
    f.sign_in_all(users, m)
    (wall,) = f.proposals(users, m, "拆墙")
    vote(users, wall, "spk_committee", "against")
    vote(users, wall, "spk_resident", "against")
    vote(users, wall, "spk_captain", "for")
    assert decide(users, m) is None
    assert AgendaItem.objects.get().status == "rejected" and not Resolution.objects.exists()


def test_consensus_adopts_the_chosen_proposal(users, clock):
    m = f.meeting(users)
    wall, _fence = f.proposals(users, m, "拆墙", "护栏")
    resolution = decide(users, m, method="consensus", proposal=wall)
    assert resolution.method == "consensus" and resolution.tally == {}


def test_a_stale_version_is_a_conflict(users, clock):
    m = f.meeting(users)
    (wall,) = f.proposals(users, m, "拆墙")
    stale = m.version
    services.meeting_close(actor=users.spk_staff, meeting=m, expected_version=stale, minutes="议定拆墙")
    m.status = Meeting.Status.SCHEDULED  # a page loaded before the close
    with raises(ErrorCode.CONFLICT):
        services.decision_record(
            actor=users.spk_staff, item=m.agenda_items.get(), expected_version=stale, method="consensus", proposal=wall
        )


# ---------------------------------------------------------------- who may vote and decide


def test_only_signed_in_invitees_with_a_voting_right_vote(users, clock):
    m = f.meeting(users)
    (wall,) = f.proposals(users, m, "拆墙")
    with raises(ErrorCode.NO_VOTING_RIGHT):  # invited with a vote, not signed in yet
        services.vote_cast(actor=users.spk_committee, proposal=wall, choice="for")
    f.sign_in_all(users, m)
    assert services.vote_cast(actor=users.spk_committee, proposal=wall, choice="for").voter == f.person("spk_committee")
    with raises(ErrorCode.NO_VOTING_RIGHT):  # the property company attends without a vote
        services.vote_cast(actor=users.tyh_property, proposal=wall, choice="for")
    with raises(ErrorCode.NO_VOTING_RIGHT):  # not invited at all
        services.vote_cast(actor=users.spk_grid, proposal=wall, choice="for")
    with raises(ErrorCode.PERMISSION_DENIED):  # voting for someone else
        services.vote_cast(actor=users.spk_committee, proposal=wall, choice="for", voter=f.person("spk_resident"))
    # Voting again changes the vote rather than adding one.
    services.vote_cast(actor=users.spk_committee, proposal=wall, choice="against")
    assert wall.votes.get().choice == "against"


def test_invitees_sign_themselves_in_and_others_cannot(users, clock):
    m = f.meeting(users)
    assert services.meeting_sign_in(actor=users.spk_resident, meeting=m).person == f.person("spk_resident")
    with raises(ErrorCode.PERMISSION_DENIED):
        services.meeting_sign_in(actor=users.spk_grid, meeting=m)


def test_only_managers_decide_and_convene(users, clock):
    m = f.meeting(users)
    (wall,) = f.proposals(users, m, "拆墙")
    with raises(ErrorCode.PERMISSION_DENIED):
        services.decision_record(
            actor=users.spk_committee,
            item=m.agenda_items.get(),
            expected_version=m.version,
            method="consensus",
            proposal=wall,
        )
    with raises(ErrorCode.PERMISSION_DENIED):  # another sub-district's officer
        services.meeting_create(
            actor=users.zl_officer,
            community=m.community,
            title="x",
            kind="deliberation",
            starts_at=m.starts_at,
            place="x",
        )


# ---------------------------------------------------------------- stages


def test_illegal_stage_changes_are_refused(users, clock):
    junk = f.junk_case(users)  # one responsible party: not flagged
    with raises(ErrorCode.ILLEGAL_STAGE) as info:
        services.meeting_create_from_case(actor=users.spk_staff, case=junk, starts_at=clock.now, place="议事厅")
    assert "需议事协商" in str(info.value.message)
    m = f.meeting(users)
    with raises(ErrorCode.ILLEGAL_STAGE):  # nothing decided, nothing to publish
        services.notice_publish(actor=users.spk_staff, meeting=m)
    f.sign_in_all(users, m)
    (wall,) = f.proposals(users, m, "拆墙")
    decide(users, m, method="consensus", proposal=wall)
    with raises(ErrorCode.ILLEGAL_STAGE):  # the item is decided
        vote(users, wall, "spk_committee", "for")
    with raises(ErrorCode.ALREADY_DONE):
        decide(users, m, method="consensus", proposal=wall)
    m.refresh_from_db()
    services.meeting_close(actor=users.spk_staff, meeting=m, expected_version=m.version, minutes="议定拆墙")
    with raises(ErrorCode.ILLEGAL_STAGE):
        services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=f.person("spk_grid"))


# ---------------------------------------------------------------- action items


def adopted(users):
    paving, junk = f.paving_case(users), f.junk_case(users)
    m = f.meeting(users, cases=[paving, junk])
    (wall,) = f.proposals(users, m, "拆墙打通微循环；物业张贴通知清理堆物")
    return m, decide(users, m, method="consensus", proposal=wall), junk


def test_completing_an_action_item_writes_to_the_case_timeline(users, clock):
    m, resolution, junk = adopted(users)
    item = services.action_item_add(
        actor=users.spk_staff,
        resolution=resolution,
        title="张贴通知，要求堆物住户清理",
        due_on=date(2026, 3, 6),
        assignee_organisation=f.org("天岳恒物业"),
        case=junk,
    )
    assert Notification.objects.filter(recipient=users.tyh_property, title__contains="新任务").exists()
    assert [a.pk for a in selectors.my_action_items(users.tyh_property).rows] == [item.pk]
    assert selectors.my_action_items(users.spk_committee).rows == []
    with raises(ErrorCode.PERMISSION_DENIED):
        services.action_item_complete(actor=users.spk_committee, action_item=item, note="done")
    services.action_item_complete(actor=users.tyh_property, action_item=item, note="已张贴通知")
    item.refresh_from_db()
    assert item.status == "done" and item.completed_by == users.tyh_property
    event = CaseEvent.objects.get(case=junk, kind="action_item_done")
    assert "已张贴通知" in event.note
    with raises(ErrorCode.ALREADY_DONE):
        services.action_item_complete(actor=users.tyh_property, action_item=item, note="again")


def test_overdue_action_items_are_reminded_once_a_day(users, clock):
    m, resolution, junk = adopted(users)
    item = services.action_item_add(
        actor=users.spk_staff,
        resolution=resolution,
        title="张贴通知",
        due_on=date(2026, 3, 4),
        assignee_organisation=f.org("天岳恒物业"),
    )
    reminders = Notification.objects.filter(title__startswith="任务已超期")
    assert remind_overdue_action_items.call() == 0  # not due yet
    clock.advance(days=3)  # 2026-03-05: one day late
    assert remind_overdue_action_items.call() == 1
    assert set(reminders.values_list("recipient__username", flat=True)) == {"tyh_property", "spk_staff"}
    clock.advance(hours=5)
    assert remind_overdue_action_items.call() == 0  # the same day
    clock.advance(days=1)
    assert remind_overdue_action_items.call() == 1 and reminders.count() == 4
    services.action_item_complete(actor=users.tyh_property, action_item=item, note="已张贴")
    clock.advance(days=1)
    assert remind_overdue_action_items.call() == 0
    assert ActionItem.objects.get().last_reminded_on == date(2026, 3, 6)


def test_the_reminder_is_registered_hourly():
    assert periodic.Periodic("youlin.deliberation.tasks.remind_overdue_action_items", 3600) in periodic.discover()


# ---------------------------------------------------------------- public notice


def test_residents_respond_during_the_notice_period_only(users, clock):
    m, resolution, _junk = adopted(users)
    notice = services.notice_publish(actor=users.spk_staff, meeting=m, days=5)
    assert notice.review_on == date(2026, 3, 7) and notice.compound.name == "手帕口南街36号院"
    assert Notification.objects.filter(recipient=users.spk_resident, title=notice.title).exists()
    services.notice_respond(actor=users.spk_resident, notice=notice, stance="support", comment="早该打通了")
    with raises(ErrorCode.ALREADY_DONE):
        services.notice_respond(actor=users.spk_resident, notice=notice, stance="object", comment="改主意")
    with raises(ErrorCode.INVALID_INPUT):  # an objection needs a reason
        services.notice_respond(actor=users.spk_captain, notice=notice, stance="object")
    services.notice_respond(actor=users.spk_captain, notice=notice, stance="object", comment="拆墙后夜间照明不足")
    assert [r.comment for r in selectors.objections(notice)] == ["拆墙后夜间照明不足"]
    assert Notification.objects.filter(recipient=users.spk_staff, title__startswith="公示收到反对意见").exists()
    with raises(ErrorCode.PERMISSION_DENIED):  # no account and no confirmed phone: no identity
        services.notice_respond(actor=AnonymousUser(), notice=notice, stance="support")
    # A public notice asks for an identity, not residence (a phone confirmed by a code could answer anyway).
    services.notice_respond(actor=users.fwd_captain, notice=notice, stance="support")
    clock.advance(days=5)
    assert not selectors.notice_is_open(notice)
    with raises(ErrorCode.NOTICE_CLOSED):
        services.notice_respond(actor=users.spk_committee, notice=notice, stance="support")
    assert NoticeResponse.objects.count() == 3


def test_a_review_date_before_the_end_of_the_period_is_refused(users, clock):
    m, _resolution, _junk = adopted(users)
    with raises(ErrorCode.INVALID_INPUT):
        services.notice_publish(actor=users.spk_staff, meeting=m, days=7, review_on=date(2026, 3, 3))
    assert services.notice_publish(actor=users.spk_staff, meeting=m, days=7, review_on=date(2026, 3, 20))


def test_meetings_for_a_case(users, clock):
    m, resolution, junk = adopted(users)
    assert selectors.meetings_for_case(junk) == [m]
    assert selectors.resolutions_for_case(junk) == [resolution]
    assert m.starts_at - clock.now == timedelta(days=1)
