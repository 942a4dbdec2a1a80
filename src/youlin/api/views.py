"""The page where a person lists, creates and revokes their personal API tokens. A new token is shown once."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from youlin.api.models import ApiToken
from youlin.api.selectors import tokens_of
from youlin.api.services import TokenError, token_create
from youlin.api.services import token_revoke as revoke
from youlin.domain.pages import show_error


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称"), max_length=64, error_messages={"required": _("请为令牌起一个名称，例如“小程序”。")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, created = token_create(user=request.user, name=form.cleaned_data["name"])
            except TokenError as exc:
                show_error(request, exc, form)
            else:
                form = TokenForm()
        if form.errors:
            status = 400
    context = {"form": form, "created": created, "tokens": list(tokens_of(request.user))}
    response = render(request, "api/tokens.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"  # the token is on this page once; keep it out of caches
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    revoke(actor=request.user, token=token)
    return redirect("api-v1:tokens")
