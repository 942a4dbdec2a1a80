"""Sending a one-time code to a phone number and confirming it: the light identity of a person without an
account (one answer to a public notice per confirmed phone, for example).

Limits come from settings: ``YOULIN_SMS_INTERVAL`` seconds between two codes to one number,
``YOULIN_SMS_PER_PHONE_HOUR`` codes to one number and ``YOULIN_SMS_PER_CLIENT_HOUR`` codes asked from one client
address in an hour (counted in the database, so every worker process sees the same counts),
``YOULIN_PHONE_CODE_TTL`` seconds before a code expires, ``YOULIN_PHONE_CODE_ATTEMPTS`` tries per code.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from youlin.verification import sms
from youlin.verification.errors import ErrorCode, VerificationError
from youlin.verification.models import PhoneCode

CODE_DIGITS = 6
DEFAULTS = {
    "YOULIN_SMS_INTERVAL": 60,
    "YOULIN_SMS_PER_PHONE_HOUR": 5,
    "YOULIN_SMS_PER_CLIENT_HOUR": 20,
    "YOULIN_PHONE_CODE_TTL": 600,
    "YOULIN_PHONE_CODE_ATTEMPTS": 5,
}
_MOBILE = re.compile(r"1[3-9]\d{9}")


def _setting(name: str) -> int:
    value = getattr(settings, name, None)
    return DEFAULTS[name] if value is None else int(value)


def normalise_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes and a +86 prefix are dropped)."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    if not _MOBILE.fullmatch(digits):
        raise VerificationError.invalid(_("请填写 11 位手机号码，如 13800001234。"), field="phone")
    return digits


def phone_hash(phone: str) -> str:
    """The keyed hash a confirmed number is known by (the number itself is not stored)."""
    return salted_hmac("youlin.verification.phone", phone, algorithm="sha256").hexdigest()


def _code_hash(nonce: str, code: str) -> str:
    return salted_hmac("youlin.verification.code", f"{nonce}:{code}", algorithm="sha256").hexdigest()


def _client_hash(client: str) -> str:
    return salted_hmac("youlin.verification.client", client, algorithm="sha256").hexdigest() if client else ""


def _limited(message) -> VerificationError:
    return VerificationError(ErrorCode.RATE_LIMITED, message)


@transaction.atomic
def phone_code_send(*, phone: str, purpose: str, client: str = "") -> PhoneCode:
    """Send a fresh code to the number, within the sending limits. The code is in the message only."""
    phone = normalise_phone(phone)
    hashed, client_hashed = phone_hash(phone), _client_hash(client)
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    recent = PhoneCode.objects.filter(phone_hash=hashed, created_at__gte=hour_ago)
    last = recent.order_by("-created_at").first()
    interval = _setting("YOULIN_SMS_INTERVAL")
    if last is not None and (now - last.created_at).total_seconds() < interval:
        wait = max(1, int(interval - (now - last.created_at).total_seconds()))
        raise _limited(
            ngettext(
                "验证码已发送，请 %(seconds)d 秒后再重新获取。", "验证码已发送，请 %(seconds)d 秒后再重新获取。", wait
            )
            % {"seconds": wait}
        )
    if recent.count() >= _setting("YOULIN_SMS_PER_PHONE_HOUR"):
        raise _limited(_("这个手机号一小时内获取验证码的次数过多，请一小时后再试。"))
    if client_hashed and (
        PhoneCode.objects.filter(client_hash=client_hashed, created_at__gte=hour_ago).count()
        >= _setting("YOULIN_SMS_PER_CLIENT_HOUR")
    ):
        raise _limited(_("获取验证码过于频繁，请稍后再试。"))
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    nonce = secrets.token_hex(16)
    ttl = _setting("YOULIN_PHONE_CODE_TTL")
    row = PhoneCode.objects.create(
        phone_hash=hashed,
        purpose=purpose[:64],
        nonce=nonce,
        code_hash=_code_hash(nonce, code),
        client_hash=client_hashed,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    minutes = max(1, ttl // 60)
    message = ngettext(
        "【友邻】您的验证码是 %(code)s，%(minutes)d 分钟内有效。如非本人操作，请忽略。",
        "【友邻】您的验证码是 %(code)s，%(minutes)d 分钟内有效。如非本人操作，请忽略。",
        minutes,
    ) % {"code": code, "minutes": minutes}
    sms.backend().send(phone=phone, message=str(message))
    return row


def phone_code_confirm(*, phone_hash: str, purpose: str, code: str) -> str:
    """Check the latest code sent to the number for this purpose; return the number's hash when it matches.

    Not atomic on purpose: a wrong try is counted (a single UPDATE) even though the call then raises, so call
    it outside a transaction that the error would roll back."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
        raise VerificationError.invalid(_("请填写短信中的 6 位验证码。"), field="code")
    row = (
        PhoneCode.objects.filter(phone_hash=phone_hash, purpose=purpose[:64], confirmed_at=None)
        .order_by("-created_at", "-id")
        .first()
    )
    now = timezone.now()
    if row is None or row.expires_at <= now:
        raise VerificationError(ErrorCode.CODE_EXPIRED, _("验证码已失效，请重新获取。"))
    most = _setting("YOULIN_PHONE_CODE_ATTEMPTS")
    counted = PhoneCode.objects.filter(pk=row.pk, attempts__lt=most).update(attempts=F("attempts") + 1)
    if not counted:
        raise VerificationError(ErrorCode.TOO_MANY_ATTEMPTS, _("验证码输错次数过多，请重新获取。"))
    if not constant_time_compare(_code_hash(row.nonce, code), row.code_hash):
        left = most - row.attempts - 1
        if left <= 0:
            raise VerificationError(ErrorCode.TOO_MANY_ATTEMPTS, _("验证码输错次数过多，请重新获取。"))
        raise VerificationError(
            ErrorCode.CODE_WRONG,
            ngettext("验证码不正确，还可以再试 %(count)d 次。", "验证码不正确，还可以再试 %(count)d 次。", left)
            % {"count": left},
            field="code",
        )
    if not PhoneCode.objects.filter(pk=row.pk, confirmed_at=None).update(confirmed_at=now):
        raise VerificationError(ErrorCode.CODE_EXPIRED, _("验证码已失效，请重新获取。"))
    return row.phone_hash
