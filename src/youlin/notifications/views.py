from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from youlin.notifications import selectors, services


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
