"""A public notice is public (#14): anyone reads it without logging in, with the resolution, the period and the
counts; answering needs an account or a phone confirmed by a one-time code, once per person. No personal data."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from youlin.deliberation import services
from youlin.deliberation.models import NoticeResponse
from youlin.deliberation.tests import factories as f

pytestmark = pytest.mark.django_db
PERSONAL = ("孙居民", "赵楼长", "吴委员", "何经理", "马工", "陈社工", "13800001234", "1380000")


@pytest.fixture
def outbox(settings):
    from youlin.verification.sms import MemoryBackend

    settings.YOULIN_SMS_BACKEND = "youlin.verification.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return MemoryBackend.outbox


def published(users):
    m = f.seated_meeting(users)
    wall, fence = f.proposals(users, m, "拆除甲楼单元门东侧墙围", "加装围挡")
    for name, rep in (("京广物资公司", "何经理"), ("市政工程研究院", "马工")):
        f.represent(users, m, name, rep)
        services.vote_cast(actor=users.spk_staff, proposal=wall, choice="for", organisation=f.org(name))
    services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=f.person("spk_resident"))
    services.meeting_sign_in(actor=users.spk_staff, meeting=m, person=f.person("spk_captain"))
    services.vote_cast(actor=users.spk_staff, proposal=wall, choice="against", voter=f.person("spk_resident"))
    services.vote_cast(actor=users.spk_staff, proposal=wall, choice="for", voter=f.person("spk_captain"))
    m.refresh_from_db()
    services.decision_record(
        actor=users.spk_staff, item=m.agenda_items.get(), expected_version=m.version, method="vote"
    )
    m.refresh_from_db()
    services.meeting_close(actor=users.spk_staff, meeting=m, expected_version=m.version, minutes="孙居民等参会")
    return services.notice_publish(actor=users.spk_staff, meeting=m, days=5)


def test_anyone_reads_a_notice_without_logging_in(client, users, clock):
    notice = published(users)
    services.notice_respond(actor=users.spk_captain, notice=notice, stance="object", comment="赵楼长担心夜间照明")
    response = client.get(reverse("deliberation:notice", args=[notice.pk]))
    assert response.status_code == 200  # before #14: a redirect to the login page
    page = response.content.decode()
    assert "采纳方案" in page and "拆除甲楼单元门东侧墙围" in page
    assert re.search(r'data-testid="resolution-counts">赞成 3 · 反对 1 · 弃权 0', page)
    assert "2026-03-02 09:00 – 2026-03-07 09:00" in page  # the period
    assert re.search(r'data-testid="notice-counts">支持 0 · 反对 1<', page)
    for word in (*PERSONAL, "担心夜间照明"):
        assert word not in page, word
    assert 'data-testid="phone-identity"' in page and 'data-testid="respond-form"' not in page


def test_the_public_community_page_links_the_notice(client, users, clock):
    notice = published(users)
    page = client.get(reverse("community-public", args=["shoupakou-nanjie"])).content.decode()
    url = reverse("deliberation:notice", args=[notice.pk])
    assert f'href="{url}"' in page and "支持 0 · 反对 0" in page
    for word in PERSONAL:
        assert word not in page, word


def test_a_resident_without_an_account_supports_after_a_one_time_code(client, users, clock, outbox):
    notice = published(users)
    url = reverse("deliberation:notice", args=[notice.pk])
    refused = client.post(reverse("deliberation:notice-respond", args=[notice.pk]), {"stance": "support"}, follow=True)
    assert "用手机号接收验证码" in refused.content.decode() and not NoticeResponse.objects.exists()
    client.post(reverse("verification:code-send"), {"phone": "138 0000 1234", "next": url})
    (message,) = outbox
    page = client.get(url).content.decode()
    assert 'data-testid="code-form"' in page and "138****1234" in page
    code = re.search(r"\d{6}", message.message).group(0)
    client.post(reverse("verification:code-confirm"), {"code": code, "next": url})
    page = client.get(url).content.decode()
    assert 'data-testid="respond-form"' in page and "138****1234" in page
    client.post(reverse("deliberation:notice-respond", args=[notice.pk]), {"stance": "support", "comment": "支持"})
    response = NoticeResponse.objects.get()
    assert response.user is None and response.phone_hash and response.name == "138****1234"
    page = client.get(url).content.decode()
    assert 'data-testid="own-response"' in page and re.search(r'data-testid="notice-counts">支持 1 · 反对 0<', page)
    # The same phone in another browser: one answer per person.
    other = Client()
    other.post(reverse("verification:code-send"), {"phone": "13800001234", "next": url})
    clock.advance(seconds=61)
    other.post(reverse("verification:code-send"), {"phone": "13800001234", "next": url})
    code = re.search(r"\d{6}", outbox[-1].message).group(0)
    other.post(reverse("verification:code-confirm"), {"code": code, "next": url})
    assert 'data-testid="own-response"' in other.get(url).content.decode()
    again = other.post(
        reverse("deliberation:notice-respond", args=[notice.pk]), {"stance": "object", "comment": "改主意"}, follow=True
    )
    assert "您已经对这条公示发表过意见" in again.content.decode() and NoticeResponse.objects.count() == 1


def test_a_wrong_code_says_how_many_tries_are_left(client, users, clock, outbox):
    notice = published(users)
    url = reverse("deliberation:notice", args=[notice.pk])
    client.post(reverse("verification:code-send"), {"phone": "13800001234", "next": url})
    right = re.search(r"\d{6}", outbox[0].message).group(0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = client.post(reverse("verification:code-confirm"), {"code": wrong, "next": url}, follow=True)
    assert "还可以再试 4 次" in page.content.decode()
    assert 'data-testid="respond-form"' not in page.content.decode()


def test_next_must_stay_on_this_site(client, users, clock, outbox):
    response = client.post(reverse("verification:code-send"), {"phone": "13800001234", "next": "https://evil.example/"})
    assert response["Location"].startswith("/#phone") or response["Location"] == "/"


def test_an_account_answers_without_a_phone(client, users, clock):
    notice = published(users)
    client.force_login(users.spk_resident)
    page = client.get(reverse("deliberation:notice", args=[notice.pk])).content.decode()
    assert 'data-testid="respond-form"' in page and 'data-testid="phone-identity"' not in page
    client.post(reverse("deliberation:notice-respond", args=[notice.pk]), {"stance": "support"})
    assert NoticeResponse.objects.get().user == users.spk_resident
    # Staff see the objectors' names on the same page; the public never does.
    services.notice_respond(actor=users.spk_captain, notice=notice, stance="object", comment="照明不足")
    client.force_login(users.spk_staff)
    assert "赵楼长" in client.get(reverse("deliberation:notice", args=[notice.pk])).content.decode()
