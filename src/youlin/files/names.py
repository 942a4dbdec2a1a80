"""Storage names for uploads: random and unguessable (``photos/2026/11/Xq3…f.jpg``), so knowing one file's name
tells nothing about another's, and no name carries a meeting's number or a person's file name."""

from __future__ import annotations

import re
import secrets
from pathlib import PurePath

_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def random_name(suffix_or_filename: str = "") -> str:
    """A fresh random file name (22 URL-safe characters, 128 bits) keeping a short, plain extension."""
    text = suffix_or_filename.lower()
    suffix = text if text.startswith(".") and "/" not in text else PurePath(text).suffix
    return secrets.token_urlsafe(16) + (suffix if _SUFFIX.match(suffix) else "")
