"""The 36号院 story on the demo cases: the "友邻+" meeting, its resolution and action item, the public
notice, and the special project escalated to 广外街道 (approved, surveyed, under construction).

Idempotent: nothing is written once the meeting for the demo paving case exists. With ``finish`` the story
goes on to the acceptance, the closed case and a resident's rating (the demo otherwise leaves those steps to
try by hand as ``builder`` and ``spk_staff``).
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from youlin.cases.models import Case
from youlin.deliberation import selectors, services
from youlin.deliberation.models import Meeting
from youlin.parties.models import Organisation, Person


def _photo(rgb: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), rgb)
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 48):
        draw.rectangle([i, 300, i + 40, 340], fill=tuple(min(255, c + 40) for c in rgb))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@transaction.atomic
def load_demo_deliberation(*, finish: bool = False) -> Meeting | None:
    from youlin.projects import services as projects

    paving = Case.objects.filter(description__startswith="【演示】北侧停车区").first()
    junk = Case.objects.filter(description__startswith="【演示】甲楼门前").first()
    if paving is None or junk is None or Meeting.objects.filter(source_case=paving).exists():
        return None
    u = {
        x.username: x
        for x in get_user_model().objects.filter(
            username__in=["spk_staff", "gw_officer", "builder", "tyh_property", "spk_resident"]
        )
    }
    people = {
        p.user.username: p
        for p in Person.objects.filter(
            user__username__in=["spk_committee", "spk_resident", "spk_captain", "tyh_property"]
        ).select_related("user")
    }
    org = {
        o.name: o
        for o in Organisation.objects.filter(
            name__in=[
                "手帕口南街36号院业主委员会",
                "天岳恒物业",
                "京西市政施工队",
                "京广物资公司",
                "市政工程研究院",
                "广外房管所",
            ]
        )
    }
    staff = u["spk_staff"]
    now = timezone.now()
    Spec = services.InvitationSpec
    # Seated as the convene form suggests: every party answering for 36号院 (the three owner units and the
    # committees vote, the three property companies attend) and the building captain, plus a resident.
    suggested = selectors.suggested_invitations(paving.community, paving)
    organisations = Organisation.objects.filter(pk__in=[int(k[4:]) for k in suggested if k.startswith("org-")])
    captains = Person.objects.filter(pk__in=[int(k[7:]) for k in suggested if k.startswith("person-")])
    invitations = [
        Spec(organisation=o, label=o.get_kind_display(), can_vote=suggested[f"org-{o.pk}"] == "vote")
        for o in organisations.order_by("kind", "name")
    ]
    invitations += [Spec(person=p, label="居民代表", can_vote=True) for p in captains.order_by("name")]
    invitations.append(Spec(person=people["spk_resident"], label="居民代表", can_vote=True))
    meeting = services.meeting_create_from_case(
        actor=staff,
        case=paving,
        extra_cases=[junk],
        title="“友邻+”议事协商会：36号院停车区地砖及甲楼卫生死角",
        starts_at=now,
        place="手帕口南街社区“友邻+”议事厅",
        invitations=invitations,
    )
    # The owner units come through representatives named at the door; 广外房管所 sends a proxy with a letter.
    for name, representative, authorisation in (
        ("京广物资公司", "何经理", ""),
        ("市政工程研究院", "马工", ""),
        ("广外房管所", "宋大姐", "授权委托书 GWF-2026-018，广外房管所 2026年11月20日出具"),
    ):
        services.meeting_sign_in(
            actor=staff, meeting=meeting, organisation=org[name], name=representative, authorisation=authorisation
        )
    for name in ("spk_committee", "spk_resident", "spk_captain", "tyh_property"):
        services.meeting_sign_in(actor=staff, meeting=meeting, person=people[name])
    item = meeting.agenda_items.get()
    wall = services.proposal_add(
        actor=staff, item=item, title="拆除甲楼单元门东侧墙围，打通小区内部道路“微循环”", proposed_by_label="业委会"
    )
    fence = services.proposal_add(actor=staff, item=item, title="在死角处加装围挡", proposed_by_label="天岳恒物业")
    for party, on_wall, on_fence in (
        (org["京广物资公司"], "for", "against"),
        (org["市政工程研究院"], "for", "for"),
        (org["广外房管所"], "for", "against"),
        (org["手帕口南街36号院业主委员会"], "for", "against"),
    ):
        services.vote_cast(actor=staff, proposal=wall, choice=on_wall, organisation=party)
        services.vote_cast(actor=staff, proposal=fence, choice=on_fence, organisation=party)
    for name, on_wall in (("spk_resident", "for"), ("spk_captain", "abstain")):
        services.vote_cast(actor=staff, proposal=wall, choice=on_wall, voter=people[name])
        services.vote_cast(actor=staff, proposal=fence, choice="against", voter=people[name])
    meeting.refresh_from_db()
    resolution = services.decision_record(actor=staff, item=item, expected_version=meeting.version, method="vote")
    task = services.action_item_add(
        actor=staff,
        resolution=resolution,
        title="张贴通知，要求堆物住户及时清理杂物，配合改造",
        due_on=timezone.localdate(now) + timedelta(days=3),
        assignee_organisation=org["天岳恒物业"],
        case=junk,
    )
    services.action_item_complete(actor=u["tyh_property"], action_item=task, note="已在甲楼单元门张贴通知。")
    meeting.refresh_from_db()
    services.meeting_close(
        actor=staff,
        meeting=meeting,
        expected_version=meeting.version,
        minutes="36号院三家产权单位（京广物资公司、市政工程研究院由代表出席，广外房管所委托代理人出席）、业委会、"
        "居民代表、甲楼物业天岳恒参会，就停车区地砖松动及甲楼门前卫生死角沟通协商。业委会建议拆除甲楼单元门东侧墙围，"
        "实现小区内部道路“微循环”，表决通过；物业张贴通知，要求堆物住户清理。",
    )
    notice = services.notice_publish(actor=staff, meeting=meeting, days=7)
    services.notice_respond(actor=u["spk_resident"], notice=notice, stance="support", comment="打通后出行方便，支持！")
    project = projects.project_apply(
        actor=staff,
        resolution=resolution,
        title="36号院微循环道路及停车区路面修复",
        scope="36号院甲楼单元门东侧墙围；北侧停车区路面",
        plan="拆除甲楼单元门东侧墙围\n打通小区内部道路微循环\n修复停车区松动、粉化地砖",
        budget="85000",
    )
    project = projects.project_review(
        actor=u["gw_officer"], project=project, expected_version=project.version, decision="approve"
    )
    projects.project_meeting_schedule(
        actor=staff,
        project=project,
        expected_version=project.version,
        kind="site_survey",
        starts_at=now,
        place="手帕口南街36号院",
        contractor=org["京西市政施工队"],
    )
    project.refresh_from_db()
    projects.plan_revise(
        actor=u["gw_officer"],
        project=project,
        expected_version=project.version,
        scope=project.scope,
        plan=project.plan + "\n停车区改铺透水砖\n充电柜旁加装照明",
        budget="92000",
        note="街道城管办、社区党委、施工队联合踏勘后细化",
    )
    project.refresh_from_db()
    today = timezone.localdate(now)
    project = projects.construction_start(
        actor=staff,
        project=project,
        expected_version=project.version,
        planned_start=today,
        planned_end=today + timedelta(days=7),
        milestones=[("拆除墙围", 1), ("停车区路面修复", 3)],
    )
    walls, paving_works = project.milestones.all()
    projects.progress_post(
        actor=u["builder"],
        project=project,
        percent=100,
        note="墙围已拆除，渣土清运完毕",
        milestone=walls,
        photos=[_photo((120, 110, 100), "walls.jpg")],
    )
    projects.progress_post(
        actor=u["builder"],
        project=project,
        percent=50,
        note="松动地砖已起出，基层找平",
        milestone=paving_works,
        photos=[_photo((100, 100, 100), "base.jpg")],
    )
    if finish:
        projects.progress_post(
            actor=u["builder"],
            project=project,
            percent=100,
            note="透水砖铺设完成，道路贯通",
            milestone=paving_works,
            photos=[_photo((60, 160, 80), "done.jpg")],
        )
        project.refresh_from_db()
        projects.project_meeting_schedule(
            actor=staff,
            project=project,
            expected_version=project.version,
            kind="acceptance",
            starts_at=timezone.now(),
            place="手帕口南街36号院",
        )
        project.refresh_from_db()
        projects.project_accept(
            actor=staff,
            project=project,
            expected_version=project.version,
            note="验收合格",
            photos=[_photo((40, 170, 90), "after.jpg")],
        )
        from youlin.cases import services as cases

        paving.refresh_from_db()
        cases.case_close(actor=staff, case=paving, expected_version=paving.version)
        projects.project_rate(
            actor=u["spk_resident"], project=project, satisfaction="satisfied", comment="一周就修好了，速度真快！"
        )
    return meeting
