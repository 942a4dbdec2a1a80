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
from youlin.deliberation import services
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
        for o in Organisation.objects.filter(name__in=["手帕口南街36号院业主委员会", "天岳恒物业", "京西市政施工队"])
    }
    staff = u["spk_staff"]
    now = timezone.now()
    Spec = services.InvitationSpec
    meeting = services.meeting_create_from_case(
        actor=staff,
        case=paving,
        extra_cases=[junk],
        title="“友邻+”议事协商会：36号院停车区地砖及甲楼卫生死角",
        starts_at=now,
        place="手帕口南街社区“友邻+”议事厅",
        invitations=[
            Spec(organisation=org["手帕口南街36号院业主委员会"], label="业委会", can_vote=True),
            Spec(organisation=org["天岳恒物业"], label="甲楼物业"),
            Spec(person=people["spk_resident"], label="居民代表", can_vote=True),
            Spec(person=people["spk_captain"], label="居民代表", can_vote=True),
        ],
    )
    for name in ("spk_committee", "spk_resident", "spk_captain", "tyh_property"):
        services.meeting_sign_in(actor=staff, meeting=meeting, person=people[name])
    item = meeting.agenda_items.get()
    wall = services.proposal_add(
        actor=staff, item=item, title="拆除甲楼单元门东侧墙围，打通小区内部道路“微循环”", proposed_by_label="业委会"
    )
    fence = services.proposal_add(actor=staff, item=item, title="在死角处加装围挡", proposed_by_label="天岳恒物业")
    for name, choice in (("spk_committee", "for"), ("spk_resident", "for"), ("spk_captain", "for")):
        services.vote_cast(actor=staff, proposal=wall, choice=choice, voter=people[name])
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
        minutes="36号院业委会、居民代表、甲楼物业天岳恒参会，就停车区地砖松动及甲楼门前卫生死角沟通协商。"
        "业委会建议拆除甲楼单元门东侧墙围，实现小区内部道路“微循环”，得到大家认可；物业张贴通知，要求堆物住户清理。",
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
