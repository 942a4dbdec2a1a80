"""Writes of the Open311 app: keys are created (shown once) and revoked; a request becomes a case through
``cases.services.case_register`` with the key's name as the channel detail."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youlin.cases.models import Category, Channel
from youlin.cases.services import case_register
from youlin.open311.attributes import attributes_of
from youlin.open311.models import ApiKey, Submission

KEY_PREFIX = "o311_"


class Open311Error(ValueError):
    """A request the standard answers with an error: ``status`` is the HTTP status, ``description`` the text."""

    def __init__(self, status: int, description):
        super().__init__(str(description))
        self.status = status
        self.description = description


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, name: str) -> tuple[ApiKey, str]:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise Open311Error(400, _("密钥名称不能为空，且不超过 64 个字。"))
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            key = ApiKey.objects.create(name=name, prefix=raw[:10], key_hash=key_hash(raw))
    except IntegrityError:
        raise Open311Error(400, _("已有同名的密钥，请换一个名称。")) from None
    return key, raw


@transaction.atomic
def apikey_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def _clean_attributes(category: Category, given: Mapping[str, list[str]]) -> dict[str, object]:
    """Check the answers against the service definition; unknown attributes are ignored, as the standard says."""
    answers: dict[str, object] = {}
    for attribute in attributes_of(category.code):
        values = [v.strip() for v in given.get(attribute.code, []) if v.strip()]
        if not values:
            if attribute.required:
                raise Open311Error(
                    400,
                    _("缺少必填属性 attribute[%(code)s]（%(name)s）。")
                    % {"code": attribute.code, "name": attribute.description},
                )
            continue
        keys = {k for k, _name in attribute.values}
        if attribute.datatype == "multivaluelist":
            if not set(values) <= keys:
                raise Open311Error(400, _("属性 attribute[%(code)s] 的取值不在可选范围内。") % {"code": attribute.code})
            answers[attribute.code] = values
            continue
        value = values[0]
        if attribute.datatype == "singlevaluelist" and value not in keys:
            raise Open311Error(400, _("属性 attribute[%(code)s] 的取值不在可选范围内。") % {"code": attribute.code})
        if attribute.datatype == "number":
            try:
                float(value)
            except ValueError:
                raise Open311Error(400, _("属性 attribute[%(code)s] 应为数字。") % {"code": attribute.code}) from None
        answers[attribute.code] = value[:500]
    return answers


def _describe(category: Category, description: str, answers: dict[str, object]) -> str:
    lines = [description]
    for attribute in attributes_of(category.code):
        if attribute.code in answers:
            value = answers[attribute.code]
            shown = (
                "、".join(attribute.label_of(v) for v in value)
                if isinstance(value, list)
                else attribute.label_of(value)
            )
            lines.append(f"{attribute.description}：{shown}")
    return "\n".join(lines)


def request_submit(
    *,
    api_key: ApiKey,
    category: Category,
    description: str,
    lon: float,
    lat: float,
    address: str = "",
    attributes: Mapping[str, list[str]] | None = None,
    media_url: str = "",
    email: str = "",
    device_id: str = "",
    account_id: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> Submission:
    """File a case for an Open311 client: registered and routed like any other, channel ``api``, the key's name
    as the channel detail. Raises ``CaseError`` (a ``DomainError``) for what the case loop refuses.

    Everything is checked and read first; the case and its submission are written in one short transaction
    (``case_register``'s), so both exist or neither does."""
    if api_key.revoked_at is not None:
        raise Open311Error(403, _("api_key 已被撤销。"))
    answers = _clean_attributes(category, attributes or {})
    name = " ".join(part for part in (last_name.strip(), first_name.strip()) if part)
    written: list[Submission] = []

    def submission(case) -> list[Submission]:
        row = Submission(
            case=case,
            api_key=api_key,
            token=secrets.token_urlsafe(18),
            media_url=media_url[:500],
            attributes=answers,
            email=email[:254],
            device_id=device_id[:100],
            account_id=account_id[:100],
            first_name=first_name[:64],
            last_name=last_name[:64],
        )
        written.append(row)
        return [row]  # written by case_register with the case's own rows

    case_register(
        actor=None,
        category=category,
        description=_describe(category, description, answers),
        lon=lon,
        lat=lat,
        channel=Channel.API,
        channel_detail=api_key.name,
        address=address[:200],
        reporter_name=name[:64],
        reporter_phone=phone[:32],
        phone_required=False,  # GeoReport v2: phone is optional; such a case has no callback number
        also_write=submission,
    )
    return written[0]
