"""Masking of residents' personal data wherever it is shown to someone who does not need it in full."""

from __future__ import annotations

import re


def mask_phone(phone: str | None) -> str:
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * len(digits)


def mask_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    if name.isascii():
        return name[0] + "***"
    return name[0] + "*" * max(1, len(name) - 1)


# Mainland mobile numbers (11 digits from 1[3-9]), landlines with an area code, and 18-character ID numbers,
# standing alone (not inside a longer run of digits such as a case number).
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[1-9][0-9]{1,2}-?[0-9]{7,8}(?![0-9])")


def mask_text(text: str | None) -> str:
    """Free text shown to the public: phone and ID numbers someone wrote in it are masked (the rest as written)."""
    text = text or ""
    text = _ID_NUMBER.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 7) + m.group(0)[-4:], text)
    text = _MOBILE.sub(lambda m: mask_phone(re.sub(r"[^0-9]", "", m.group(0))[-11:]), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0).replace("-", "")), text)
