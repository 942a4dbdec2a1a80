"""Writes of the API app: personal tokens are created (shown once, stored as a hash) and revoked."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.api.models import ApiToken
from youlin.domain.errors import DomainError

TOKEN_PREFIX = "yl_"  # noqa: S105  (a label that makes leaked tokens easy to spot, not a secret)


class TokenError(DomainError, ValueError):
    pass


def token_hash(raw: str) -> str:
    # The token is 32 random bytes: a plain digest is enough (no dictionary to guess from).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token itself, which is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise TokenError("invalid_input", _("请为令牌起一个名称，例如“小程序”。"), field="name")
    if len(name) > 64:
        raise TokenError("invalid_input", _("令牌名称不能超过 64 个字。"), field="name")
    if user is None or not user.is_authenticated or not user.is_active:
        raise TokenError("permission_denied", _("只有已启用的账户才能创建令牌。"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=token_hash(raw))
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens (superusers may revoke anyone's). Revoking twice changes nothing."""
    if actor is None or not actor.is_authenticated or (token.user_id != actor.pk and not actor.is_superuser):
        raise TokenError("not_found", _("没有找到这个令牌。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
