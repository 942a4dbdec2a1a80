from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from youlin.domain.pages import show_error
from youlin.notifications import selectors, services
from youlin.notifications.events import EVENTS
from youlin.notifications.models import EmailMode


@login_required
def bell(request):
    """The htmx partial in the top bar: the unread count."""
    return render(request, "notifications/partials/bell.html", {"unread": selectors.unread_count(request.user)})


@login_required
def inbox(request):
    try:
        before = int(request.GET.get("before", "")) or None
    except ValueError:
        before = None
    items = selectors.inbox(request.user, before_id=before)
    return render(
        request,
        "notifications/inbox.html",
        {
            "items": items,
            "next_before": items[-1].pk if len(items) == 30 else None,
        },
    )


@login_required
@require_POST
def mark_read(request):
    services.notifications_mark_read(actor=request.user)
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Which notifications come to the bell, and which by e-mail at once or in a daily digest."""
    if request.method == "POST":
        choices = {
            event: (request.POST.get(f"{event}-in_app") == "on", request.POST.get(f"{event}-email", EmailMode.INSTANT))
            for event in EVENTS
        }
        try:
            services.notification_preferences_set(actor=request.user, choices=choices)
        except services.PreferenceError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "choices": selectors.preferences_of(request.user),
            "modes": EmailMode.choices,
            "has_email": bool(request.user.email),
        },
    )
