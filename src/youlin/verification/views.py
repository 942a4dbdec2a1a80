"""The two steps of confirming a phone, used from any public page that needs a light identity: send a code
(to the number typed in), then confirm it. Both go back to ``next`` (a path on this site)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from youlin.core.edges import client_address
from youlin.domain.errors import DomainError
from youlin.verification import services, sessions, sms

PURPOSE = "identity"


def _next(request) -> str:
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return "/"
    return target


@require_POST
def code_send(request):
    target = _next(request)
    try:
        row = services.phone_code_send(
            phone=request.POST.get("phone", ""), purpose=PURPOSE, client=client_address(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(target)
    phone = services.normalise_phone(request.POST.get("phone", ""))
    ttl = int((row.expires_at - row.created_at).total_seconds())
    sessions.remember_pending(request, phone_hash=row.phone_hash, label=sms.masked(phone), ttl_seconds=ttl)
    messages.success(request, _("验证码已发送到 %(phone)s，请查收短信。") % {"phone": sms.masked(phone)})
    return redirect(f"{target}#phone")


@require_POST
def code_confirm(request):
    target = _next(request)
    pending = sessions.pending_phone(request)
    if pending is None:
        messages.error(request, _("验证码已失效，请重新获取。"))
        return redirect(f"{target}#phone")
    try:
        services.phone_code_confirm(phone_hash=pending.hash, purpose=PURPOSE, code=request.POST.get("code", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{target}#phone")
    sessions.remember_confirmed(request, phone_hash=pending.hash, label=pending.label)
    messages.success(request, _("手机号 %(phone)s 已验证。") % {"phone": pending.label})
    return redirect(f"{target}#phone")


@require_POST
def phone_forget(request):
    sessions.forget(request)
    return redirect(_next(request))
