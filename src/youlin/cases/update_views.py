"""Pages for updates on a case (进展留言): add one from the case page or the reporter's tracking page, hide or
show it again (the community's staff), flag it. Each posts, calls a service, and goes back to the page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from youlin.cases import selectors, services
from youlin.cases.errors import CaseError
from youlin.cases.models import Case, CaseUpdate
from youlin.cases.updates import MAX_TEXT
from youlin.domain.pages import show_error


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("留言"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请写下留言内容。")},
    )
    is_public = forms.BooleanField(label=gettext_lazy("公开（报告人和居民可见）"), required=False)


def _case(request, number: str) -> tuple[Case, str | None]:
    """The case this post is about: by the tracking token (the reporter without an account), else as the
    signed-in user may see it. 404 for anything else."""
    token = request.POST.get("token") or None
    if token:
        case = selectors.case_by_token(token, number=number)
    elif request.user.is_authenticated:
        from youlin.cases.views import _case_for

        case = _case_for(request, number)
    else:
        case = None
    if case is None:
        raise Http404
    return case, token


def _back(number: str, token: str | None) -> str:
    url = reverse("track", args=[token]) if token else reverse("cases:detail", args=[number])
    return f"{url}#updates"


def _update(case: Case, pk: int) -> CaseUpdate:
    update = CaseUpdate.objects.filter(case=case, pk=pk).first()
    if update is None:
        raise Http404
    return update


@require_POST
def update_add(request, number: str):
    case, token = _case(request, number)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back(number, token))
    try:
        services.case_update_add(
            actor=request.user,
            case=case,
            text=form.cleaned_data["text"],
            photos=request.FILES.getlist("photos"),
            # Only staff are asked; everyone else's update is public.
            is_public=form.cleaned_data["is_public"] if "public_choice" in request.POST else True,
            token=token,
        )
    except CaseError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("留言已发布。"))
    return redirect(_back(number, token))


@require_POST
def update_hide(request, number: str, pk: int):
    case, token = _case(request, number)
    try:
        services.case_update_hide(actor=request.user, update=_update(case, pk), reason=request.POST.get("reason", ""))
    except CaseError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已隐藏这条留言。"))
    return redirect(_back(number, token))


@require_POST
def update_restore(request, number: str, pk: int):
    case, token = _case(request, number)
    try:
        services.case_update_restore(actor=request.user, update=_update(case, pk))
    except CaseError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已恢复显示这条留言。"))
    return redirect(_back(number, token))


@require_POST
def update_flag(request, number: str, pk: int):
    case, token = _case(request, number)
    if not request.session.session_key:
        request.session.save()
    try:
        key = services.flagger_key(actor=request.user, session_key=request.session.session_key)
        services.case_update_flag(
            actor=request.user, update=_update(case, pk), key=key, reason=request.POST.get("reason", "")
        )
    except CaseError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已举报，工作人员会尽快处理。"))
    return redirect(_back(number, token))
