"""Updates on a case (进展留言), as on FixMyStreet: the reporter (with or without an account) and staff write,
followers and the responsible unit are told, staff may keep theirs internal; the community hides an update with
a reason (kept, on record), anyone who sees it may flag it; personal data stays masked."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from youlin.cases import services, updates
from youlin.cases.errors import CaseError
from youlin.cases.models import CaseUpdate, CaseUpdateFlag, CaseUpdateModeration
from youlin.cases.permissions import Standing
from youlin.cases.tests.factories import register
from youlin.notifications.models import Notification

pytestmark = pytest.mark.django_db


def jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0131] = "SecretCam 1.0"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("update.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def resident_case(users):
    """A resident's report without an account at 36号院甲楼: 天岳恒物业 answers for it."""
    return register(users.spk_staff, channel="resident", reporter_name="钱阿姨", reporter_phone="13912345678")


def test_the_reporter_adds_an_update_through_the_tracking_page(client, users, resident_case):
    case = resident_case
    track = reverse("track", args=[case.tracking_token])
    page = client.get(track).content.decode()
    assert 'data-testid="update-form"' in page and 'name="is_public"' not in page  # residents' are public
    response = client.post(
        reverse("cases:update-add", args=[case.number]),
        {"token": case.tracking_token, "text": "堆物又多了，楼道过不去了", "photos": [jpeg_with_exif()]},
    )
    assert response.status_code == 302 and response["Location"] == f"{track}#updates"
    update = CaseUpdate.objects.get(case=case)
    assert update.by_reporter and not update.by_staff and update.is_public and update.author is None
    assert update.author_label == "钱阿姨"
    (photo,) = update.photos.all()
    with Image.open(photo.image.path) as stored:
        assert len(stored.getexif()) == 0  # through the photo service: EXIF stripped
    page = client.get(track).content.decode()
    assert "堆物又多了，楼道过不去了" in page and 'data-testid="update-photo"' in page
    assert "钱*" in page and "钱阿姨" not in page  # the reporter's own name is masked on the public page
    # The responsible unit (a follower) is told; nobody is told twice.
    told = Notification.objects.filter(event="case_update").values_list("recipient__username", flat=True)
    assert "tyh_property" in told and "spk_staff" in told


def test_a_wrong_token_finds_nothing(client, resident_case):
    response = client.post(
        reverse("cases:update-add", args=[resident_case.number]), {"token": "not-the-token", "text": "x"}
    )
    assert response.status_code == 404
    assert not CaseUpdate.objects.exists()


def test_staff_keep_an_update_internal_or_make_it_public(client, users, resident_case):
    case = resident_case
    client.force_login(users.tyh_property)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'name="is_public"' in page
    url = reverse("cases:update-add", args=[case.number])
    client.post(url, {"text": "已联系保洁，明早清运", "public_choice": "1"})
    client.post(url, {"text": "师傅明天上午九点到", "public_choice": "1", "is_public": "on"})
    internal, public = CaseUpdate.objects.order_by("pk")
    assert not internal.is_public and internal.by_staff and internal.author_unit == "天岳恒物业"
    assert public.is_public
    track = client.get(reverse("track", args=[case.tracking_token])).content.decode()
    assert "师傅明天上午九点到" in track and "已联系保洁" not in track
    assert "天岳恒物业" in track and "tyh_property" not in track  # the unit, not the staff member, to the public
    staff_page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "已联系保洁" in staff_page and 'data-testid="update-internal"' in staff_page
    # The internal note told staff only: the community, not the reporter's followers outside it.
    internal_told = set(
        Notification.objects.filter(event="case_update", body__contains="已联系保洁").values_list(
            "recipient__username", flat=True
        )
    )
    assert "spk_staff" in internal_told and "tyh_property" not in internal_told


def test_residents_cannot_keep_an_update_internal(users, resident_case):
    with pytest.raises(CaseError) as caught:
        services.case_update_add(
            actor=None, case=resident_case, text="x", is_public=False, token=resident_case.tracking_token
        )
    assert caught.value.code == "invalid_input" and caught.value.field == "is_public"


def test_who_may_add(users, resident_case):
    with pytest.raises(CaseError) as caught:
        services.case_update_add(actor=users.gy_secretary, case=resident_case, text="别的社区")
    assert caught.value.code == "outside_jurisdiction"
    with pytest.raises(CaseError) as caught:
        services.case_update_add(actor=None, case=resident_case, text="没有查询码")
    assert caught.value.code == "permission_denied"
    with pytest.raises(CaseError) as caught:
        services.case_update_add(actor=users.spk_staff, case=resident_case, text="   ")
    assert caught.value.code == "invalid_input" and caught.value.field == "text"
    with pytest.raises(CaseError) as caught:
        services.case_update_add(actor=users.spk_staff, case=resident_case, text="长" * (updates.MAX_TEXT + 1))
    assert caught.value.field == "text"
    assert services.case_update_add(actor=users.spk_grid, case=resident_case, text="网格员已到现场").by_staff


def test_a_reporter_with_an_account_writes_as_the_reporter(users):
    case = register(users.spk_resident, channel="resident", reporter_phone="13800000000")
    update = services.case_update_add(actor=users.spk_resident, case=case, text="谢谢，已经清理了")
    assert update.by_reporter and update.is_public and update.author == users.spk_resident


def test_staff_hide_an_update_with_a_reason_and_it_is_kept(client, users, resident_case):
    case = resident_case
    update = services.case_update_add(actor=None, case=case, text="骂人的话", token=case.tracking_token)
    with pytest.raises(CaseError) as caught:  # the responsible unit does not moderate
        services.case_update_hide(actor=users.tyh_property, update=update, reason="不文明")
    assert caught.value.code == "permission_denied"
    with pytest.raises(CaseError) as caught:
        services.case_update_hide(actor=users.spk_staff, update=update, reason=" ")
    assert caught.value.field == "reason"
    client.force_login(users.spk_staff)
    client.post(reverse("cases:update-hide", args=[case.number, update.pk]), {"reason": "含侮辱性语言"})
    update.refresh_from_db()
    assert update.is_hidden and update.hidden_by == users.spk_staff and update.hidden_reason == "含侮辱性语言"
    (record,) = CaseUpdateModeration.objects.filter(update=update)
    assert record.action == "hidden" and record.reason == "含侮辱性语言" and record.actor == users.spk_staff
    with pytest.raises(RuntimeError):
        record.delete()
    staff_page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "骂人的话" in staff_page and "含侮辱性语言" in staff_page and 'data-testid="update-restore"' in staff_page
    client.force_login(users.tyh_property)
    assert "骂人的话" not in client.get(reverse("cases:detail", args=[case.number])).content.decode()
    client.logout()
    assert "骂人的话" not in client.get(reverse("track", args=[case.tracking_token])).content.decode()
    with pytest.raises(CaseError) as caught:
        services.case_update_hide(actor=users.spk_staff, update=update, reason="再次")
    assert caught.value.code == "already_done"
    services.case_update_restore(actor=users.gw_officer, update=update, reason="误隐藏")
    update.refresh_from_db()
    assert not update.is_hidden
    assert list(CaseUpdateModeration.objects.filter(update=update).values_list("action", flat=True)) == [
        "hidden",
        "restored",
    ]
    assert "骂人的话" in client.get(reverse("track", args=[case.tracking_token])).content.decode()


def test_anyone_who_sees_an_update_may_flag_it_once(client, users, resident_case):
    case = resident_case
    update = services.case_update_add(actor=users.tyh_property, case=case, text="已处理", is_public=True)
    url = reverse("cases:update-flag", args=[case.number, update.pk])
    client.post(url, {"token": case.tracking_token})
    client.post(url, {"token": case.tracking_token})  # the same visitor again: counted once
    update.refresh_from_db()
    assert update.flag_count == 1
    flag = CaseUpdateFlag.objects.get(update=update)
    assert flag.user is None and flag.flagger_key.startswith("s:")
    told = Notification.objects.filter(title__contains="举报").values_list("recipient__username", flat=True)
    assert "spk_staff" in told and "tyh_property" not in told
    services.case_update_flag(
        actor=users.spk_grid, update=update, key=services.flagger_key(actor=users.spk_grid), reason="不实"
    )
    with pytest.raises(CaseError) as caught:
        services.case_update_flag(actor=users.spk_grid, update=update, key=services.flagger_key(actor=users.spk_grid))
    assert caught.value.code == "already_done"
    update.refresh_from_db()
    assert update.flag_count == 2
    internal = services.case_update_add(actor=users.spk_staff, case=case, text="内部", is_public=False)
    with pytest.raises(CaseError):
        services.case_update_flag(actor=users.spk_grid, update=internal, key="u:1")


def test_personal_data_in_an_update_is_masked_for_whoever_does_not_manage_the_case(client, users, resident_case):
    case = resident_case
    services.case_update_add(actor=None, case=case, text="有事打我电话13912345678", token=case.tracking_token)
    track = client.get(reverse("track", args=[case.tracking_token])).content.decode()
    assert "139****5678" in track and "13912345678" not in track
    client.force_login(users.tyh_property)
    unit = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "139****5678" in unit and "13912345678" not in unit and "钱阿姨" not in unit
    client.force_login(users.spk_staff)
    manager = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "有事打我电话13912345678" in manager and "报告人 钱阿姨" in manager


def test_the_thread_costs_two_queries_however_many_updates(users, resident_case):
    case = resident_case
    for i in range(5):
        services.case_update_add(actor=users.spk_staff, case=case, text=f"第{i}条", photos=[jpeg_with_exif()])
    standing = Standing(users.spk_staff, case)
    standing.is_manager  # noqa: B018 (the jurisdiction is the page's, fetched once before)
    standing.works_on_case  # noqa: B018 (asked by the page before the thread)
    with CaptureQueriesContext(connection) as queries:
        shown = updates.thread(case, standing=standing)
    assert len(shown) == 5 and all(len(s.photos) == 1 for s in shown)
    assert len(queries) == 2


def test_the_api_shows_adds_flags_and_hides_updates(client, users, resident_case):
    from youlin.api.services import token_create

    case = resident_case
    services.case_update_add(actor=users.spk_staff, case=case, text="内部说明", is_public=False)

    def api(user):
        _row, raw = token_create(user=user, name="tests")
        return {"Authorization": f"Bearer {raw}"}

    unit = api(users.tyh_property)
    response = client.post(f"/api/v1/cases/{case.number}/updates", {"text": "明早清运，电话13912345678"}, headers=unit)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["is_public"] and created["text"] == "明早清运，电话139****5678" and created["author"] == "天岳恒物业"
    detail = client.get(f"/api/v1/cases/{case.number}", headers=unit).json()
    # The responsible unit works on the case: it reads the internal note too, masked as it does not manage it.
    assert [u["text"] for u in detail["updates"]] == ["内部说明", "明早清运，电话139****5678"]
    staff = api(users.spk_staff)
    detail = client.get(f"/api/v1/cases/{case.number}", headers=staff).json()
    assert [u["is_public"] for u in detail["updates"]] == [False, True]
    flagged = client.post(
        f"/api/v1/cases/{case.number}/updates/{created['id']}/flag",
        {"reason": "有电话"},
        "application/json",
        headers=unit,
    )
    assert flagged.status_code == 200
    refused = client.post(
        f"/api/v1/cases/{case.number}/updates/{created['id']}/hide", {"reason": "x"}, "application/json", headers=unit
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    hidden = client.post(
        f"/api/v1/cases/{case.number}/updates/{created['id']}/hide",
        {"reason": "含电话"},
        "application/json",
        headers=staff,
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"] and hidden.json()["hidden_reason"] == "含电话"
    assert [u["text"] for u in client.get(f"/api/v1/cases/{case.number}", headers=unit).json()["updates"]] == [
        "内部说明"
    ]
