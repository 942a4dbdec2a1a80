"""Reads of the API app: a user's tokens, and the user a presented token stands for."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from youlin.accounts.backends import demo_account_allowed
from youlin.api.models import ApiToken
from youlin.api.services import token_hash

LAST_USED_PRECISION = timedelta(minutes=5)


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def user_for_token(raw: str):
    """The active user an unrevoked token belongs to, or None. Marks the token used (at most every few minutes,
    so a busy client does not write on every request)."""
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None or not demo_account_allowed(token.user):
        return None  # the rule of login and sessions: demo accounts only while demo mode is on
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at=None) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
    return token.user
