"""A phone confirmed by a one-time code: sending limits, codes hashed, expiring, with limited attempts."""

import logging
import re

import pytest

from youlin.verification import services, sms
from youlin.verification.errors import ErrorCode, VerificationError
from youlin.verification.models import PhoneCode

pytestmark = pytest.mark.django_db
PHONE = "13800001234"


def code_of(message) -> str:
    return re.search(r"\d{6}", message.message).group(0)


def refused(error_code, call, **kwargs):
    with pytest.raises(VerificationError) as info:
        call(**kwargs)
    assert info.value.code == error_code, info.value
    return info.value


def test_a_code_is_sent_and_confirmed_once(outbox, clock):
    row = services.phone_code_send(phone="+86 138-0000-1234", purpose="identity", client="10.0.0.1")
    (message,) = outbox
    assert message.phone == PHONE and "10 分钟内有效" in message.message
    code = code_of(message)
    # Neither the number nor the code is stored.
    stored = PhoneCode.objects.filter(pk=row.pk).values().get()
    assert not any(PHONE in str(v) or code == str(v) or code in str(v) for v in stored.values())
    assert services.phone_code_confirm(phone_hash=row.phone_hash, purpose="identity", code=code) == row.phone_hash
    assert row.phone_hash == services.phone_hash(PHONE)
    refused(
        ErrorCode.CODE_EXPIRED, services.phone_code_confirm, phone_hash=row.phone_hash, purpose="identity", code=code
    )


def test_a_code_expires(outbox, clock, settings):
    settings.YOULIN_PHONE_CODE_TTL = 300
    row = services.phone_code_send(phone=PHONE, purpose="identity")
    assert "5 分钟内有效" in outbox[0].message
    clock.advance(seconds=301)
    refused(
        ErrorCode.CODE_EXPIRED,
        services.phone_code_confirm,
        phone_hash=row.phone_hash,
        purpose="identity",
        code=code_of(outbox[0]),
    )


def test_wrong_codes_are_counted_and_limited(outbox, clock):
    row = services.phone_code_send(phone=PHONE, purpose="identity")
    right = code_of(outbox[0])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        error = refused(
            ErrorCode.CODE_WRONG, services.phone_code_confirm, phone_hash=row.phone_hash, purpose="identity", code=wrong
        )
        assert f"还可以再试 {left} 次" in str(error.message)
    refused(
        ErrorCode.TOO_MANY_ATTEMPTS,
        services.phone_code_confirm,
        phone_hash=row.phone_hash,
        purpose="identity",
        code=wrong,
    )
    # Even the right code is refused now: five tries per code.
    refused(
        ErrorCode.TOO_MANY_ATTEMPTS,
        services.phone_code_confirm,
        phone_hash=row.phone_hash,
        purpose="identity",
        code=right,
    )
    assert PhoneCode.objects.get().attempts == 5


def test_sending_is_rate_limited_per_number_and_per_client(outbox, clock, settings):
    settings.YOULIN_SMS_PER_PHONE_HOUR = 3
    settings.YOULIN_SMS_PER_CLIENT_HOUR = 4
    services.phone_code_send(phone=PHONE, purpose="identity", client="10.0.0.1")
    error = refused(ErrorCode.RATE_LIMITED, services.phone_code_send, phone=PHONE, purpose="identity")
    assert "60 秒后" in str(error.message)
    for _ in range(2):
        clock.advance(seconds=61)
        services.phone_code_send(phone=PHONE, purpose="identity", client="10.0.0.1")
    clock.advance(seconds=61)
    error = refused(ErrorCode.RATE_LIMITED, services.phone_code_send, phone=PHONE, purpose="identity")
    assert "一小时内" in str(error.message)
    services.phone_code_send(phone="13900002222", purpose="identity", client="10.0.0.1")
    refused(
        ErrorCode.RATE_LIMITED, services.phone_code_send, phone="13700003333", purpose="identity", client="10.0.0.1"
    )
    clock.advance(hours=1)
    services.phone_code_send(phone=PHONE, purpose="identity", client="10.0.0.1")
    assert len(outbox) == 5


def test_only_the_latest_code_counts(outbox, clock):
    first = services.phone_code_send(phone=PHONE, purpose="identity")
    clock.advance(seconds=61)
    services.phone_code_send(phone=PHONE, purpose="identity")
    old, new = (code_of(m) for m in outbox)
    if old != new:
        refused(
            ErrorCode.CODE_WRONG, services.phone_code_confirm, phone_hash=first.phone_hash, purpose="identity", code=old
        )
    assert services.phone_code_confirm(phone_hash=first.phone_hash, purpose="identity", code=new)


@pytest.mark.parametrize("raw", ["1380000123", "23800001234", "abc", "", "138000012345"])
def test_only_mainland_mobile_numbers(raw, outbox):
    error = refused(ErrorCode.INVALID_INPUT, services.phone_code_send, phone=raw, purpose="identity")
    assert error.field == "phone" and outbox == []


def test_a_malformed_code_is_refused_before_any_lookup(outbox):
    refused(ErrorCode.INVALID_INPUT, services.phone_code_confirm, phone_hash="x", purpose="identity", code="12ab")


def test_the_console_backend_logs_the_code_with_the_number_masked(caplog, settings, db):
    settings.YOULIN_SMS_BACKEND = "youlin.verification.sms.ConsoleBackend"
    with caplog.at_level(logging.WARNING, logger="youlin.sms"):
        services.phone_code_send(phone=PHONE, purpose="identity")
    (record,) = caplog.records
    assert "138****1234" in record.getMessage() and PHONE not in record.getMessage()
    assert re.search(r"验证码是 \d{6}", record.getMessage())
    assert isinstance(sms.backend(), sms.ConsoleBackend)


def test_the_backend_is_pluggable(settings):
    settings.YOULIN_SMS_BACKEND = "youlin.verification.sms.MemoryBackend"
    assert isinstance(sms.backend(), sms.MemoryBackend)
