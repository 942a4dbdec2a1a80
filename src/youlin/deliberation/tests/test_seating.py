"""Who sits at the table (#14): invited organisations sign in through a representative and have one vote each;
quorum and thresholds count the invited voting parties; the convene form seats every party responsible for the
place; the resolution names the adopted proposal and its votes."""

import re

import pytest
from django.urls import reverse

from youlin.deliberation import selectors, services
from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import Attendance, Vote
from youlin.deliberation.tests import factories as f
from youlin.parties.models import Membership, Person

pytestmark = pytest.mark.django_db


def refused(code, call, **kwargs):
    with pytest.raises(DeliberationError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value
    return info.value


def decide(users, m, **extra):
    m.refresh_from_db()
    return services.decision_record(
        actor=users.spk_staff,
        item=m.agenda_items.get(),
        expected_version=m.version,
        method=extra.pop("method", "vote"),
        **extra,
    )


# ---------------------------------------------------------------- representatives


def test_an_owner_unit_signs_in_through_a_representative_named_on_the_spot(users, clock):
    m = f.seated_meeting(users)
    attendance = f.represent(users, m, "京广物资公司", "何经理")
    assert attendance.organisation == f.org("京广物资公司") and attendance.person.name == "何经理"
    # The representative is from now on one of the organisation's people (picked from a list next time).
    assert Membership.objects.filter(
        person=attendance.person, organisation__name="京广物资公司", role="representative"
    ).exists()
    assert selectors.invited_organisation_members(m)[f.org("京广物资公司").pk] == [attendance.person]
    # One representative per organisation.
    error = refused(
        ErrorCode.ALREADY_DONE,
        services.meeting_sign_in,
        actor=users.spk_staff,
        meeting=m,
        organisation=f.org("京广物资公司"),
        name="另一位",
    )
    assert "何经理" in str(error.message)
    # Staff name the representative (or pick one of the organisation's people): they do not stand in themselves.
    error = refused(
        ErrorCode.INVALID_INPUT,
        services.meeting_sign_in,
        actor=users.spk_staff,
        meeting=m,
        organisation=f.org("市政工程研究院"),
    )
    assert error.field == "name"
    # An organisation not invited cannot be represented.
    refused(
        ErrorCode.INVALID_INPUT,
        services.meeting_sign_in,
        actor=users.spk_staff,
        meeting=m,
        organisation=f.org("京西市政施工队"),
        name="郑队长",
    )


def test_a_proxy_needs_a_written_authorisation_and_does_not_join_the_organisation(users, clock):
    m = f.seated_meeting(users)
    outsider = f.person("spk_grid")  # not one of 广外房管所's people
    error = refused(
        ErrorCode.INVALID_INPUT,
        services.meeting_sign_in,
        actor=users.spk_staff,
        meeting=m,
        organisation=f.org("广外房管所"),
        person=outsider,
    )
    assert error.field == "authorisation"
    attendance = services.meeting_sign_in(
        actor=users.spk_staff,
        meeting=m,
        organisation=f.org("广外房管所"),
        person=outsider,
        authorisation="授权委托书 GWF-2026-018",
    )
    assert attendance.authorisation == "授权委托书 GWF-2026-018"
    proxy = f.represent(users, f.seated_meeting(users), "市政工程研究院", "宋大姐", "委托书 SZ-7")
    assert proxy.authorisation == "委托书 SZ-7"
    assert not Membership.objects.filter(person=proxy.person).exists()  # a proxy, not a member


def test_only_staff_name_representatives_and_members_sign_themselves_in_for_their_organisation(users, clock):
    m = f.seated_meeting(users)
    refused(
        ErrorCode.PERMISSION_DENIED,
        services.meeting_sign_in,
        actor=users.spk_resident,
        meeting=m,
        organisation=f.org("京广物资公司"),
        name="冒名",
    )
    # The committee member signing in represents the committee (the first invited organisation of hers).
    attendance = services.meeting_sign_in(actor=users.spk_committee, meeting=m)
    assert attendance.organisation == f.org("手帕口南街36号院业主委员会")


# ---------------------------------------------------------------- one organisation, one vote


def test_one_organisation_has_one_vote_however_many_of_its_people_attend(users, clock):
    m = f.seated_meeting(users)
    (wall,) = f.proposals(users, m, "拆墙")
    committee = f.org("手帕口南街36号院业主委员会")
    services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=f.person("spk_committee"))
    second = Person.objects.create(name="钱委员", community=m.community)
    Membership.objects.create(person=second, organisation=committee, role="committee_member")
    plain = services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=second)
    assert plain.organisation is None  # the committee already has its representative
    services.vote_cast(actor=users.spk_committee, proposal=wall, choice="for")
    services.vote_cast(actor=users.spk_staff, proposal=wall, choice="against", organisation=committee)
    vote = Vote.objects.get()  # the committee's one vote, changed, still cast by its representative
    assert vote.organisation == committee and vote.choice == "against" and vote.voter == f.person("spk_committee")
    refused(
        ErrorCode.NO_VOTING_RIGHT, services.vote_cast, actor=users.spk_staff, proposal=wall, choice="for", voter=second
    )
    count = selectors.tally(m.agenda_items.get())
    assert count.voted == 1 and count.counts[0].as_dict() == {"for": 0, "against": 1, "abstain": 0}


def test_an_organisation_votes_only_once_its_representative_signed_in(users, clock):
    m = f.seated_meeting(users)
    (wall,) = f.proposals(users, m, "拆墙")
    error = refused(
        ErrorCode.NO_VOTING_RIGHT,
        services.vote_cast,
        actor=users.spk_staff,
        proposal=wall,
        choice="for",
        organisation=f.org("京广物资公司"),
    )
    assert "还没有代表签到" in str(error.message)
    refused(  # a property company attends without a vote
        ErrorCode.NO_VOTING_RIGHT,
        services.vote_cast,
        actor=users.spk_staff,
        proposal=wall,
        choice="for",
        organisation=f.org("天岳恒物业"),
    )
    f.represent(users, m, "京广物资公司", "何经理")
    refused(  # only its representative (or staff) votes for it
        ErrorCode.PERMISSION_DENIED,
        services.vote_cast,
        actor=users.spk_resident,
        proposal=wall,
        choice="for",
        organisation=f.org("京广物资公司"),
    )
    vote = services.vote_cast(actor=users.spk_staff, proposal=wall, choice="for", organisation=f.org("京广物资公司"))
    assert vote.voter.name == "何经理"


def test_quorum_counts_invited_voting_parties_not_the_people_signed_in(users, clock):
    # Before #14 quorum was counted against signed-in people: 4 present and voting was "quorum met" while 7
    # parties were invited to vote. Now 4 of 7 parties is below 60% (5 needed).
    m = f.seated_meeting(users, quorum_percent=60)
    (wall,) = f.proposals(users, m, "拆墙")
    for name, rep in (("京广物资公司", "何经理"), ("市政工程研究院", "马工")):
        f.represent(users, m, name, rep)
        services.vote_cast(actor=users.spk_staff, proposal=wall, choice="for", organisation=f.org(name))
    for username in ("spk_captain", "spk_resident"):
        services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=f.person(username))
        services.vote_cast(actor=users.spk_staff, proposal=wall, choice="for", voter=f.person(username))
    count = selectors.tally(m.agenda_items.get())
    assert (count.eligible, count.organisations, count.people, count.present, count.voted) == (7, 5, 2, 4, 4)
    assert count.quorum_needed == 5 and not count.quorum_met
    error = refused(ErrorCode.NO_QUORUM, decide, users=users, m=m)
    assert "受邀表决方 7 个" in str(error.message) and "至少 5 个" in str(error.message)
    f.represent(users, m, "广外房管所", "宋大姐", "委托书 GWF-18")
    services.vote_cast(actor=users.spk_staff, proposal=wall, choice="abstain", organisation=f.org("广外房管所"))
    resolution = decide(users, m)
    assert resolution.tally["eligible"] == 7 and resolution.tally["voted"] == 5
    assert resolution.tally["counted"] == "parties"


def test_the_meeting_page_says_how_it_counted_and_offers_representatives_sign_in(client, users, clock):
    m = f.seated_meeting(users)
    f.proposals(users, m, "拆墙")
    f.represent(users, m, "京广物资公司", "何经理")
    client.force_login(users.spk_staff)
    page = client.get(reverse("deliberation:detail", args=[m.pk])).content.decode()
    tally = re.search(r'data-testid="tally">(.*?)</div>', page, re.S).group(1)
    assert "每个受邀单位一票" in tally and "受邀表决方 7 个（单位 5 个、个人 2 人），已签到 1 个" in tally
    assert "须至少 4 个表决方参加表决" in tally
    assert "代表 何经理 已签到" in page
    assert page.count('data-testid="represent"') == 7  # every other invited organisation, not yet represented
    # Through the page: a representative named on the spot, then the show of hands for the organisation.
    unit = f.org("市政工程研究院")
    client.post(reverse("deliberation:act", args=[m.pk, "sign_in"]), {"organisation": unit.pk, "name": "马工"})
    assert Attendance.objects.get(meeting=m, organisation=unit).person.name == "马工"
    proposal = m.agenda_items.get().proposals.get()
    client.post(
        reverse("deliberation:act", args=[m.pk, "vote"]),
        {"proposal": proposal.pk, "choice": "for", "party": f"org-{unit.pk}"},
    )
    assert Vote.objects.get(organisation=unit).voter.name == "马工"


def test_a_representative_votes_for_the_organisation_from_the_page(client, users, clock):
    m = f.seated_meeting(users)
    (wall,) = f.proposals(users, m, "拆墙")
    services.meeting_sign_in(actor=users.spk_committee, meeting=m)
    client.force_login(users.spk_committee)
    page = client.get(reverse("deliberation:detail", args=[m.pk])).content.decode()
    assert 'data-party="手帕口南街36号院业主委员会"' in page
    committee = f.org("手帕口南街36号院业主委员会")
    client.post(
        reverse("deliberation:act", args=[m.pk, "vote"]),
        {"proposal": wall.pk, "choice": "for", "party": f"org-{committee.pk}"},
    )
    assert Vote.objects.get().organisation == committee


# ---------------------------------------------------------------- the resolution names what was adopted


def test_the_resolution_names_the_adopted_proposal_with_its_votes_and_adds_the_note(users, clock):
    m = f.seated_meeting(users)
    wall, fence = f.proposals(users, m, "拆除甲楼单元门东侧墙围", "加装围挡")
    for name, rep in (("京广物资公司", "何经理"), ("市政工程研究院", "马工"), ("广外房管所", "宋大姐")):
        f.represent(users, m, name, rep)
    for name, on_wall in (("京广物资公司", "for"), ("市政工程研究院", "against"), ("广外房管所", "for")):
        services.vote_cast(actor=users.spk_staff, proposal=wall, choice=on_wall, organisation=f.org(name))
        services.vote_cast(actor=users.spk_staff, proposal=fence, choice="against", organisation=f.org(name))
    services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=f.person("spk_resident"))
    services.vote_cast(actor=users.spk_staff, proposal=wall, choice="abstain", voter=f.person("spk_resident"))
    resolution = decide(users, m, text="施工期间保留消防通道")
    assert resolution.proposal == wall and resolution.counts == {"for": 2, "against": 1, "abstain": 1}
    lines = resolution.text.splitlines()
    # Before #14 a note replaced the text, which then never named the proposal.
    assert lines[0] == "采纳方案：拆除甲楼单元门东侧墙围"
    assert lines[1].startswith("表决结果：赞成 2，反对 1，弃权 1（受邀表决方 7 个，参加表决 4 个")
    assert lines[-1] == "补充说明：施工期间保留消防通道" and resolution.note == "施工期间保留消防通道"
    m.refresh_from_db()
    services.meeting_close(actor=users.spk_staff, meeting=m, expected_version=m.version, minutes="议定")
    notice = services.notice_publish(actor=users.spk_staff, meeting=m)
    assert "采纳方案：拆除甲楼单元门东侧墙围" in notice.body and "赞成 2，反对 1，弃权 1" in notice.body
    assert "补充说明：施工期间保留消防通道" in notice.body


def test_a_consensus_resolution_says_so(users, clock):
    m = f.seated_meeting(users)
    (wall,) = f.proposals(users, m, "拆墙")
    resolution = decide(users, m, method="consensus", proposal=wall)
    assert resolution.text.splitlines() == ["采纳方案：拆墙", "决定方式：协商一致"] and resolution.counts is None


# ---------------------------------------------------------------- the convene form seats who answers for the place


def selected(page: str) -> dict[str, str]:
    """data-name → the pre-selected option of each invitee select on the convene form."""
    result = {}
    for name, body in re.findall(r'data-name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="(\w+)" selected>', body)
        result[name] = chosen.group(1) if chosen else ""
    return result


def test_the_convene_form_pre_selects_every_party_responsible_for_the_place(client, users, clock):
    paving = f.paving_case(users)
    client.force_login(users.spk_staff)
    page = client.get(reverse("deliberation:new-from-case", args=[paving.number])).content.decode()
    chosen = selected(page)
    for name in f.OWNER_UNITS:
        assert chosen[name] == "vote", name
    for name in ("天岳恒物业", "金盾物业服务公司", "安居物业服务公司"):
        assert chosen[name] == "invite", name
    assert chosen["手帕口南街36号院业主委员会"] == "vote" and chosen["手帕口南街36号院物业管理委员会"] == "vote"
    assert chosen["赵楼长"] == "vote"  # the building captain: the residents' representative
    assert chosen["孙居民"] == "" and chosen["广外街道城管办"] == ""
    # Staff untick what they do not want: the form sends what is selected, nothing else.
    form = {"kind": "deliberation", "starts_at": "2026-03-03T19:00", "place": "议事厅", "quorum_percent": 50}
    form |= {"pass_percent": 50, f"org-{f.org('京广物资公司').pk}": "vote", f"org-{f.org('天岳恒物业').pk}": ""}
    client.post(reverse("deliberation:new-from-case", args=[paving.number]), form)
    from youlin.deliberation.models import Meeting

    assert [str(i) for i in Meeting.objects.get().invitations.all()] == ["京广物资公司"]


def test_without_a_case_the_committees_are_suggested(demo):
    from youlin.places.models import Community

    suggested = selectors.suggested_invitations(Community.objects.get(name="手帕口南街社区"))
    assert set(suggested.values()) == {"vote"} and len(suggested) == 2
