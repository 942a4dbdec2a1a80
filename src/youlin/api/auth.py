"""Who is calling: ``Authorization: Bearer <personal token>``, or nobody (public data only).

The auth callable is also the gate every request passes before its body is read: it refuses oversized bodies
(413) and counts POSTs against the rate limits (429).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from youlin.api import ratelimit
from youlin.api.errors import ApiError, not_authenticated, too_large
from youlin.api.selectors import user_for_token
from youlin.core.edges import client_address

DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024  # nine phone photos after the app's own compression


def max_body_bytes() -> int:
    value = getattr(settings, "YOULIN_API_MAX_BODY_BYTES", None) or os.environ.get("YOULIN_API_MAX_BODY_BYTES")
    return int(value) if value else DEFAULT_MAX_BODY_BYTES


def check_size(request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = max_body_bytes()
    if length > limit:
        raise too_large(limit)


def rate_limited(verdict: ratelimit.Verdict) -> ApiError:
    error = ApiError(
        429,
        "rate_limited",
        _("提交太频繁，请 %(seconds)d 秒后再试。") % {"seconds": verdict.retry_after},
    )
    error.retry_after = verdict.retry_after
    return error


def _count_post(request, user) -> None:
    if request.method != "POST":
        return
    if user is not None:
        verdict = ratelimit.hit("api-token", f"user:{user.pk}", ratelimit.configured_rate("YOULIN_API_POST_RATE"))
    else:
        verdict = ratelimit.hit(
            "api-anon", client_address(request), ratelimit.configured_rate("YOULIN_API_ANON_POST_RATE")
        )
    if not verdict.allowed:
        raise rate_limited(verdict)


class PersonalToken(HttpBearer):
    """Bearer personal token. With ``required=False`` a request without one goes on as anonymous."""

    def __init__(self, *, required: bool = True):
        super().__init__()
        self.required = required

    def __call__(self, request):
        check_size(request)
        header = request.headers.get("Authorization", "").strip()
        user = None
        if header:
            scheme, _sep, raw = header.partition(" ")
            user = user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                _count_post(request, None)
                raise ApiError(401, "invalid_token", _("令牌无效或已撤销。请在“接口令牌”页面重新创建一个令牌。"))
        _count_post(request, user)
        if user is None and self.required:
            raise not_authenticated()
        request.user = user or AnonymousUser()
        return request.user

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return user_for_token(token)


required = PersonalToken(required=True)
optional = PersonalToken(required=False)
