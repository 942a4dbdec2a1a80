"""The whole 36号院 story in a real browser: from two patrol reports to a resident rating the result.

Two patrol reports (the loose paving, shared by three buildings and so flagged "needs deliberation", and the
junk corner) → a "友邻+" deliberation meeting convened from the paving case, the form seating every party that
answers for 36号院 (its three owner units and the owners' committee with a vote, the three property companies
attending) and the building captain → the owner units sign in through representatives named at the door (one a
proxy with a written authorisation) and vote, one vote each, beside the committee and residents → the proposal
to take down the wall east of 甲楼's entrance is adopted by vote and the resolution names it with its votes, with
an action item for the property company to post a notice about the junk → public notice: an anonymous visitor
reads it from the community's public page, and a resident without an account supports it after a one-time code
→ project application to 广外街道 → approved → joint site survey refines the plan → construction with
progress photos → acceptance (the survey and acceptance meetings recorded as held) → both cases verified with
before/after photos and closed → a resident rates the project satisfied → the project shows under completed on
the public page, with its own public page.

Registering the two reports and closing the verified cases are steps of the case loop (tested on their own
in test_case_loop.py); the first goes through the case services, the second through the case page.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from youlin.demo.loader import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, format="JPEG")
    return out.getvalue()


def upload(color, name="photo.jpg"):
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg(color)}


def login(page, live_server, username, next_url="/"):
    # A form posted just before may still be on its way: its response would set a new CSRF cookie after the
    # login page has set its own, and the login would be refused.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("[data-testid=current-user]", state="attached")


def ok(page):
    """The last action succeeded: a success message and no error message."""
    assert page.locator(".alert-danger, .alert-error").count() == 0, page.inner_text("main")
    assert page.locator(".alert-success").count() >= 1, page.inner_text("main")


def patrol_reports():
    from django.contrib.auth import get_user_model

    from youlin.cases import services
    from youlin.cases.models import Category
    from youlin.places.models import NamedPoint

    grid = get_user_model().objects.get(username="spk_grid")

    def report(point, code, description, color):
        lon, lat = NamedPoint.objects.get(name=point).geometry["coordinates"]
        return services.case_register(
            actor=grid,
            category=Category.objects.get(kind="matter", code=code),
            lon=lon,
            lat=lat,
            channel="patrol",
            description=description,
            photos=[SimpleUploadedFile("before.jpg", jpeg(color), content_type="image/jpeg")],
        )

    paving = report("36号院北侧停车区", "06081", "北侧停车区地砖松动、粉化，老人常在此闲坐遛弯", (150, 150, 150))
    junk = report("甲楼门前电动自行车充电柜", "06082", "甲楼门前充电柜旁死角堆放杂物，屡次反弹", (110, 80, 40))
    return paving, junk


@pytest.mark.early  # the longest browser story: first among the transactional tests
def test_the_36_yard_story_from_patrol_to_a_satisfied_resident(browser, live_server, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.YOULIN_SMS_BACKEND = "youlin.verification.sms.MemoryBackend"
    from youlin.cases.models import Case
    from youlin.deliberation.models import ActionItem, Meeting, Resolution
    from youlin.projects.models import Project
    from youlin.verification.sms import MemoryBackend

    MemoryBackend.outbox = []
    paving, junk = patrol_reports()
    assert paving.needs_deliberation and not junk.needs_deliberation

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    today = timezone.localdate()

    # The community convenes the "友邻+" meeting from the paving case, with the junk corner on the agenda too.
    # The form has already seated whoever answers for 36号院: the owner units and committees with a vote, the
    # property companies attending, the building captain with a vote.
    login(page, live_server, "spk_staff")
    page.goto(f"{live_server.url}/meetings/new/from-case/{paving.number}/")
    assert paving.number in page.inner_text("[data-testid=source-case]")
    for name in ("京广物资公司", "市政工程研究院", "广外房管所", "手帕口南街36号院业主委员会", "赵楼长"):
        assert page.input_value(f"select[data-name='{name}']") == "vote", name
    for name in ("天岳恒物业", "金盾物业服务公司", "安居物业服务公司"):
        assert page.input_value(f"select[data-name='{name}']") == "invite", name
    page.fill("#id_extra_cases", junk.number)
    page.select_option("select[data-name='孙居民']", "vote")
    page.get_by_role("button", name="召集会议").click()
    ok(page)
    meeting = Meeting.objects.get()
    invitations = page.inner_text("[data-testid=invitations]")
    for name in ("京广物资公司", "市政工程研究院", "广外房管所", "手帕口南街36号院业主委员会", "天岳恒物业", "孙居民"):
        assert name in invitations
    assert junk.number in page.inner_text("[data-testid=item-cases]")

    # Sign-in: each owner unit through a representative named at the door; 广外房管所 sends a proxy with a letter.
    for unit, representative, authorisation in (
        ("京广物资公司", "何经理", ""),
        ("市政工程研究院", "马工", ""),
        ("广外房管所", "宋大姐", "授权委托书 GWF-2026-018"),
    ):
        form = page.locator(f"[data-testid=represent][data-name='{unit}']")
        form.locator("summary").click()
        form.locator("input[name=name]").fill(representative)
        form.locator("input[name=authorisation]").fill(authorisation)
        form.locator("button").click()
        ok(page)
        assert representative in page.inner_text(f"[data-testid=invitation][data-name='{unit}']")
    assert "授权委托：授权委托书 GWF-2026-018" in page.inner_text("[data-testid=invitation][data-name='广外房管所']")
    # Staff register the committee member (the committee's representative), the captain and the property staff.
    for name in ("吴委员", "赵楼长", "周物业"):
        page.select_option("[data-testid=sign-in-form] select", label=name)
        page.locator("[data-testid=sign-in-form] button").click()
        ok(page)
    # Two competing proposals.
    for title, by in (("拆除甲楼单元门东侧墙围，打通内部道路微循环", "业委会"), ("在死角处加装围挡", "天岳恒物业")):
        page.locator("[data-testid=proposal-form]").evaluate("f => f.closest('details').open = true")
        page.fill("[data-testid=proposal-form] input[name=title]", title)
        page.fill("[data-testid=proposal-form] input[name=proposed_by_label]", by)
        page.locator("[data-testid=proposal-form] button").click()
        ok(page)
    wall = "tr[data-title='拆除甲楼单元门东侧墙围，打通内部道路微循环']"
    fence = "tr[data-title='在死角处加装围挡']"

    # The resident signs herself in and votes from her phone; the committee member votes for the committee.
    login(page, live_server, "spk_resident", f"/meetings/{meeting.pk}/")
    page.locator("[data-testid=sign-in-self]").click()
    ok(page)
    page.locator(f"{wall} [data-testid=vote-for]").click()
    ok(page)
    page.locator(f"{fence} [data-testid=vote-against]").click()
    login(page, live_server, "spk_committee", f"/meetings/{meeting.pk}/")
    assert page.locator(f"{wall} [data-testid=vote-form][data-party='手帕口南街36号院业主委员会']").count() == 1
    page.locator(f"{wall} [data-testid=vote-for]").click()
    ok(page)
    # The property company attends without a vote: no voting buttons for it.
    login(page, live_server, "tyh_property", f"/meetings/{meeting.pk}/")
    assert page.locator("[data-testid=vote-for]").count() == 0

    # The convener records the show of hands: each owner unit's representative, and the captain.
    login(page, live_server, "spk_staff", f"/meetings/{meeting.pk}/")
    for party, choice in (
        ("京广物资公司（何经理）", "for"),
        ("市政工程研究院（马工）", "for"),
        ("广外房管所（宋大姐）", "for"),
        ("赵楼长", "abstain"),
    ):
        page.locator("text=代为登记表决（举手表决）").click()
        form = page.locator("[data-testid=show-of-hands]")
        form.locator("select[name=proposal]").select_option(label="拆除甲楼单元门东侧墙围，打通内部道路微循环")
        form.locator("select[name=party]").select_option(label=party)
        form.locator("select[name=choice]").select_option(choice)
        form.locator("button").click()
        ok(page)
    assert page.inner_text(f"{wall} [data-testid=count-for]") == "5"
    # The page says how it counted: by invited voting party, one vote per organisation.
    tally = page.inner_text("[data-testid=tally]")
    assert "受邀表决方 7 个（单位 5 个、个人 2 人），已签到 6 个，参加表决 6 个" in tally and "已达法定人数" in tally
    page.locator("[data-testid=decide]").click()
    ok(page)
    assert "拆除甲楼单元门东侧墙围" in page.inner_text("[data-testid=resolution-proposal]")
    assert "赞成 5 · 反对 0 · 弃权 1" in page.inner_text("[data-testid=resolution-counts]")
    resolution = Resolution.objects.get()
    assert resolution.method == "vote" and resolution.tally["eligible"] == 7 and resolution.tally["organisations"] == 5
    assert resolution.text.startswith("采纳方案：拆除甲楼单元门东侧墙围")

    # The action item: the property company posts a notice to clear the junk.
    page.locator("text=分派任务").click()
    action_form = page.locator("[data-testid=action-item-form]")
    action_form.locator("input[name=title]").fill("张贴通知，要求堆物住户及时清理杂物，配合改造")
    action_form.locator("select[name=assignee]").select_option(label="天岳恒物业（物业服务企业）")
    action_form.locator("input[name=due_on]").fill((today + timedelta(days=3)).isoformat())
    action_form.locator("select[name=case]").select_option(junk.number)
    action_form.locator("button").click()
    ok(page)

    # Minutes, then the public notice.
    page.fill(
        "[data-testid=close-form] textarea",
        "业委会、居民代表、甲楼物业天岳恒参会，议定拆除甲楼单元门东侧墙围，打通微循环。",
    )
    page.locator("[data-testid=close-form] button").click()
    ok(page)
    page.fill("[data-testid=publish-form] input[name=publish-days]", "5")
    page.locator("[data-testid=publish-form] button").click()
    ok(page)
    notice_url = page.url

    # The property company sees the task and reports it done; the junk case's timeline records it.
    login(page, live_server, "tyh_property", "/meetings/action-items/")
    assert "张贴通知" in page.inner_text("[data-testid=my-action-items]")
    page.fill("[data-testid=action-item] input[name=note]", "已在甲楼单元门张贴通知，堆物住户已开始清理")
    page.locator("[data-testid=complete]").click()
    ok(page)
    assert ActionItem.objects.get().status == "done"
    assert junk.events.filter(kind="action_item_done").exists()

    # An anonymous visitor finds the notice on the community's public page and reads it without logging in.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/p/shoupakou-nanjie/")
    page.locator("[data-testid=public-notice]").first.click()
    assert page.url == notice_url
    assert page.locator("[data-testid=notice-open]").count() == 1
    assert "拆除甲楼单元门东侧墙围" in page.inner_text("[data-testid=notice-resolutions]")
    assert "赞成 5 · 反对 0 · 弃权 1" in page.inner_text("[data-testid=notice-resolutions]")
    assert page.inner_text("[data-testid=notice-counts]") == "支持 0 · 反对 0"
    for name in ("孙居民", "赵楼长", "吴委员", "何经理", "宋大姐"):
        assert name not in page.inner_text("main"), name
    # A resident without an account supports it after a one-time code sent to her phone.
    page.fill("#phone-number", "138 0000 5678")
    page.get_by_role("button", name="获取验证码").click()
    ok(page)
    (message,) = MemoryBackend.outbox
    page.fill("#phone-code", re.search(r"\d{6}", message.message).group(0))
    page.get_by_role("button", name="确认").click()
    ok(page)
    page.locator("[data-testid=respond-form] input[value=support]").check()
    page.fill("[data-testid=respond-form] textarea", "打通后出行方便多了，支持！")
    page.get_by_role("button", name="提交意见").click()
    ok(page)
    assert "支持" in page.inner_text("[data-testid=own-response]")
    assert page.inner_text("[data-testid=notice-counts]") == "支持 1 · 反对 0"

    # The community applies to 广外街道 for a special project from the resolution.
    login(page, live_server, "spk_staff", f"/meetings/{meeting.pk}/")
    page.locator("[data-testid=escalate]").click()
    page.fill("#id_title", "36号院微循环道路及停车区路面修复")
    page.fill("#id_scope", "36号院甲楼单元门东侧墙围；北侧停车区")
    page.fill("#id_plan", "拆除甲楼单元门东侧墙围\n打通内部道路微循环\n修复停车区松动地砖")
    page.fill("#id_budget", "85000")
    page.get_by_role("button", name="提交申报").click()
    ok(page)
    project = Project.objects.get()
    project_url = f"{live_server.url}/projects/{project.pk}/"
    assert page.locator("[data-testid=review-form]").count() == 0  # the community cannot approve its own

    # 广外街道 approves.
    login(page, live_server, "gw_officer", f"/projects/{project.pk}/")
    page.get_by_role("button", name="批准", exact=True).click()
    ok(page)
    assert page.inner_text("[data-testid=project-status]") == "已批准"

    # Joint site survey with the urban-management office, the party committee and the contractor.
    login(page, live_server, "spk_staff", f"/projects/{project.pk}/")
    page.select_option("[data-testid=survey-form] select[name=contractor]", label="京西市政施工队")
    page.locator("[data-testid=survey-form] button").click()
    ok(page)
    assert page.url == project_url  # scheduling returns to the project
    assert page.inner_text("[data-testid=survey-status]") == "待召开"
    page.locator("[data-testid=survey-link]").click()
    invited = page.inner_text("[data-testid=invitations]")
    for name in ("广外街道城管办", "手帕口南街社区党委", "京西市政施工队"):
        assert name in invited
    page.goto(project_url)
    page.locator("[data-testid=revise] summary").click()
    page.fill(
        "[data-testid=revise] textarea[name=plan]",
        "拆除甲楼单元门东侧墙围\n打通内部道路微循环\n修复停车区松动地砖，改铺透水砖\n充电柜旁加装照明",
    )
    page.fill("[data-testid=revise] input[name=budget]", "92000")
    page.fill("[data-testid=revise] input[name=note]", "实地踏勘后细化：透水砖、照明")
    page.get_by_role("button", name="保存新版本").click()
    ok(page)
    diff = page.inner_text("[data-testid=plan-diff]")
    assert "+ 修复停车区松动地砖，改铺透水砖" in diff and "+ 充电柜旁加装照明" in diff
    page.fill("[data-testid=start-form] input[name=planned_end]", (today + timedelta(days=7)).isoformat())
    page.fill("[data-testid=start-form] textarea[name=milestones]", "拆除墙围 1\n停车区路面修复 3")
    page.get_by_role("button", name="开工").click()
    ok(page)

    # A week of construction: the contractor posts progress with photos.
    login(page, live_server, "builder", f"/projects/{project.pk}/")
    for milestone, percent, note, color in (
        ("拆除墙围", 100, "墙围已拆除，渣土清运完毕", (120, 110, 100)),
        ("停车区路面修复", 50, "松动地砖已起出，基层找平", (100, 100, 100)),
        ("停车区路面修复", 100, "透水砖铺设完成，微循环道路贯通", (60, 160, 80)),
    ):
        form = page.locator("[data-testid=progress-form]")
        form.locator("select[name=milestone]").select_option(label=milestone)
        form.locator("input[name=percent]").fill(str(percent))
        form.locator("textarea[name=note]").fill(note)
        form.locator("input[name=photos]").set_input_files(files=[upload(color)])
        form.locator("button").click()
        ok(page)
    assert page.inner_text("[data-testid=progress-value]") == "100%"
    assert page.locator("[data-testid=progress-photo]").count() == 3

    # Acceptance at the acceptance meeting.
    login(page, live_server, "spk_staff", f"/projects/{project.pk}/")
    page.locator("[data-testid=acceptance-schedule-form] button").click()
    ok(page)
    assert page.url == project_url
    page.locator("[data-testid=accept-form] input[name=photos]").set_input_files(
        files=[upload((40, 170, 90), "after.jpg")]
    )
    page.fill("[data-testid=accept-form] textarea[name=note]", "路面平整，通道畅通，验收合格")
    page.get_by_role("button", name="验收通过").click()
    ok(page)
    assert page.inner_text("[data-testid=project-status]") == "已验收"
    assert "用时" in page.inner_text("[data-testid=time-taken]")
    # The survey and the acceptance meetings were held with their steps.
    assert page.inner_text("[data-testid=survey-status]") == "已召开"
    assert page.inner_text("[data-testid=acceptance-status]") == "已召开"

    # Both cases were verified by the acceptance; the community closes them on the case page.
    for case in (paving, junk):
        assert Case.objects.get(pk=case.pk).status == "verified"
        page.goto(f"{live_server.url}/cases/{case.number}/")
        page.locator("form[data-action=close] button").click()
        ok(page)
        assert Case.objects.get(pk=case.pk).status == "closed"
        assert page.locator("[data-testid=before-photo]").count() == 1
        assert page.locator("[data-testid=after-photo]").count() == 1

    # A resident sees the before/after and the speed, and rates it satisfied.
    login(page, live_server, "spk_resident", f"/projects/{project.pk}/")
    assert page.locator("[data-testid=before-after] [data-testid=after-photo]").count() == 1
    page.locator("[data-testid=rate-form] input[value=satisfied]").check()
    page.fill("[data-testid=rate-form] textarea", "一周就修好了，速度真快！")
    page.get_by_role("button", name="提交评价").click()
    ok(page)
    assert "满意" in page.inner_text("[data-testid=ratings]")
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "deliberation-project-accepted-phone.png"), full_page=True)

    # Anyone sees the finished project under completed, and its public page with the before and after.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/p/shoupakou-nanjie/")
    completed = page.locator("[data-testid=projects-completed]")
    assert "36号院微循环道路及停车区路面修复" in completed.inner_text()
    assert page.locator("[data-testid=projects-under-way]").count() == 0
    completed.locator("a").first.click()
    assert page.inner_text("[data-testid=project-status]") == "已验收"
    assert page.locator("[data-testid=before-photo]").count() == 2
    assert page.locator("[data-testid=after-photo]").count() == 1
    assert "用时" in page.inner_text("[data-testid=time-taken]")
    for name in ("孙居民", "陈社工", "郑队长", "李网格"):
        assert name not in page.inner_text("main"), name
    page.screenshot(path=str(shots / "project-public-phone.png"), full_page=True)
    login(page, live_server, "spk_staff", f"/meetings/{meeting.pk}/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shots / "deliberation-meeting.png"), full_page=True)
    context.close()
    assert blocked == [], f"the pages broke the Content-Security-Policy: {blocked}"
