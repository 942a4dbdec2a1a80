import subprocess
import sys

import pytest
from django.conf import settings

from youlin.core.privacy import mask_name, mask_phone


def test_production_hasher_is_argon2():
    from youlin import settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_chinese_first_and_shanghai_time():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def _serve(env):
    base = {"PATH": "/usr/bin:/bin", "YOULIN_VAR_DIR": "/tmp/youlin-serve-test"}
    return subprocess.run(
        [sys.executable, "-m", "youlin", "serve", "--bind", "127.0.0.1:0"],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_refuses_debug():
    result = _serve({"YOULIN_DEBUG": "1", "YOULIN_SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "YOULIN_DEBUG" in result.stderr


def test_serve_refuses_missing_secret_key():
    result = _serve({})
    assert result.returncode != 0
    assert "YOULIN_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(("phone", "masked"), [("13812345678", "138****5678"), ("", ""), ("12345", "*****")])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_name():
    assert mask_name("孙居民") == "孙**"
    assert mask_name("李") == "李*"
    assert mask_name("Alice") == "A***"
