import pytest


@pytest.fixture
def outbox(settings):
    """Text messages sent during the test (the memory backend)."""
    from youlin.verification.sms import MemoryBackend

    settings.YOULIN_SMS_BACKEND = "youlin.verification.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return MemoryBackend.outbox
