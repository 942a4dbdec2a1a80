"""Sending a text message, through the backend named by ``YOULIN_SMS_BACKEND`` (a dotted path to a class with a
``send(*, phone, message)`` method). A deployment writes its own for its SMS gateway; two come with youlin:

- ``ConsoleBackend`` (the default): logs the message, code included, on the ``youlin.sms`` logger. For the demo
  and development, where the person reading the log is the one typing the code.
- ``MemoryBackend``: keeps the messages in ``MemoryBackend.outbox`` (like Django's locmem e-mail), for tests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("youlin.sms")
DEFAULT_BACKEND = "youlin.verification.sms.ConsoleBackend"


class SmsBackend:
    def send(self, *, phone: str, message: str) -> None:
        raise NotImplementedError


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class ConsoleBackend(SmsBackend):
    def send(self, *, phone: str, message: str) -> None:
        # The number is masked even here: logs outlive the code.
        logger.warning("SMS to %s: %s", masked(phone), message)


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    message: str


class MemoryBackend(SmsBackend):
    outbox: list[SmsMessage] = []

    def send(self, *, phone: str, message: str) -> None:
        MemoryBackend.outbox.append(SmsMessage(phone=phone, message=message))


def backend() -> SmsBackend:
    return import_string(getattr(settings, "YOULIN_SMS_BACKEND", "") or DEFAULT_BACKEND)()
