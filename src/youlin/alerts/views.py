"""Area alert pages: subscribe to a community or grid, confirm an address, unsubscribe (from the link in every
e-mail, or from one's own list), and one's own subscriptions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from youlin.alerts import selectors, services
from youlin.alerts.models import Subscription
from youlin.domain.pages import show_error
from youlin.places.models import Community, Grid


class SubscribeForm(forms.Form):
    grid = forms.ModelChoiceField(
        queryset=Grid.objects.none(),
        required=False,
        label=gettext_lazy("范围"),
        empty_label=gettext_lazy("整个社区"),
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("订阅内容"),
        choices=[
            ("cases", gettext_lazy("新的诉求")),
            ("notices", gettext_lazy("公示")),
            ("bulletins", gettext_lazy("简报")),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一项要订阅的动态。")},
    )
    email = forms.EmailField(
        label=gettext_lazy("邮箱"),
        required=False,
        max_length=254,
        error_messages={"invalid": gettext_lazy("请填写有效的邮箱地址。")},
    )

    def __init__(self, *args, community: Community, anonymous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Grid.objects.filter(community=community).order_by("code")
        self.fields["email"].required = anonymous
        self.fields["email"].error_messages["required"] = gettext_lazy("没有账号时，请填写接收提醒的邮箱。")
        if not anonymous:
            del self.fields["email"]


@require_http_methods(["GET", "POST"])
def subscribe(request, slug: str):
    community = Community.objects.select_related("subdistrict").filter(slug=slug).first()
    if community is None:
        raise Http404
    anonymous = not request.user.is_authenticated
    form = SubscribeForm(
        request.POST or None,
        community=community,
        anonymous=anonymous,
        initial={"topics": list(services.TOPICS)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription, _mailed = services.subscription_create(
                actor=request.user,
                community=community,
                grid=data.get("grid"),
                topics=set(data["topics"]),
                email=data.get("email", ""),
                language=request.LANGUAGE_CODE,
            )
        except services.AlertError as exc:
            show_error(request, exc, form)
        else:
            if anonymous:
                # The same answer whether the address was new, waiting or confirmed: it tells nobody anything.
                return render(request, "alerts/check_mail.html", {"community": community, "email": subscription.email})
            messages.success(
                request, _("已订阅%(area)s的动态，新动态会按您的通知设置提醒您。") % {"area": subscription.area.name}
            )
            return redirect("alerts:mine")
    return render(
        request,
        "alerts/subscribe.html",
        {"community": community, "form": form, "anonymous": anonymous},
        status=400 if form.errors else 200,
    )


def _by_token(token: str) -> Subscription:
    subscription = selectors.by_token(token)
    if subscription is None:
        raise Http404
    return subscription


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The link in the confirmation e-mail: a page with one button (a mail scanner that opens links does not
    confirm anything)."""
    subscription = _by_token(token)
    if request.method == "POST":
        services.subscription_confirm(token=token)
        return render(request, "alerts/confirmed.html", {"subscription": subscription})
    return render(request, "alerts/confirm.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058 one-click: a mail client POSTs here without a form of ours; the token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link in every e-mail. GET asks (scanners open links); POST unsubscribes: the page's button, or the
    mail client's one-click ``List-Unsubscribe=One-Click``."""
    subscription = selectors.by_token(token)
    if request.method == "POST":
        services.subscription_cancel(token=token)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=204)
        return render(request, "alerts/unsubscribed.html", {"subscription": subscription})
    if subscription is None:
        return render(request, "alerts/unsubscribed.html", {"subscription": None}, status=404)
    return render(request, "alerts/unsubscribe.html", {"subscription": subscription})


@login_required
def mine(request):
    return render(request, "alerts/mine.html", {"subscriptions": selectors.subscriptions_of(request.user)})


@login_required
@require_POST
def cancel(request, pk: int):
    subscription = Subscription.objects.filter(pk=pk, user=request.user).first()
    if subscription is None:
        raise Http404
    services.subscription_cancel(actor=request.user, subscription=subscription)
    messages.success(request, _("已取消订阅。"))
    return redirect("alerts:mine")
