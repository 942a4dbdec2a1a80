"""What is new in a community, as items for its Atom feed and for area alerts, and the subscriptions due.

Each item carries no personal data: a new case is its category, its place (compound and building, never a
home or words a person typed) and its status; a notice, a project and a bulletin are public by nature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from youlin.alerts.models import Subscription
from youlin.cases import selectors as case_selectors
from youlin.dashboards import selectors as dashboard_selectors
from youlin.deliberation import selectors as deliberation_selectors
from youlin.projects import selectors as project_selectors

CASE, NOTICE, PROJECT, BULLETIN = "case", "notice", "project", "bulletin"
# Which subscription topic each kind of item belongs to (completed projects are in the feed only).
TOPIC_OF = {CASE: "cases", NOTICE: "notices", BULLETIN: "bulletins"}


@dataclass(frozen=True)
class Item:
    kind: str
    key: str  # stable: "case/SPK-20261127-0001"
    title: str
    summary: str
    path: str
    published_at: datetime
    grid_id: int | None = None


def _place(case) -> str:
    place = case.compound.name if case.compound_id else case.community.name
    if case.building_id:
        place += case.building.name
    return place


def case_items(community_ids, *, since=None, until=None, limit: int = 50) -> list[Item]:
    return [
        Item(
            kind=CASE,
            key=f"case/{c.number}",
            title=_("新的诉求：%(category)s · %(place)s") % {"category": c.category.label, "place": _place(c)},
            summary=_("%(category)s，位于%(place)s，%(status)s。")
            % {"category": c.category.label, "place": _place(c), "status": c.get_status_display()},
            path=reverse("cases:detail", args=[c.number]),
            published_at=c.registered_at,
            grid_id=c.grid_id,
        )
        for c in case_selectors.new_cases_in(community_ids, since=since, until=until, limit=limit)
    ]


def notice_items(community_ids, *, since=None, until=None, limit: int = 50) -> list[Item]:
    from django.utils import timezone

    return [
        Item(
            kind=NOTICE,
            key=f"notice/{n.pk}",
            title=_("公示：%(title)s") % {"title": n.title},
            summary=_("公示期至 %(end)s。%(body)s")
            % {"end": timezone.localtime(n.ends_at).strftime("%Y-%m-%d"), "body": n.body[:300]},
            path=reverse("deliberation:notice", args=[n.pk]),
            published_at=n.starts_at,
        )
        for n in deliberation_selectors.notices_published(community_ids, since=since, until=until, limit=limit)
    ]


def project_items(community_ids, *, since=None, until=None, limit: int = 50) -> list[Item]:
    return [
        Item(
            kind=PROJECT,
            key=f"project/{p.pk}",
            title=_("项目已完工验收：%(title)s") % {"title": p.title},
            summary=p.scope[:300],
            path=reverse("project-public", args=[p.community.slug, p.pk]),
            published_at=p.accepted_at,
        )
        for p in project_selectors.projects_completed(community_ids, since=since, until=until, limit=limit)
    ]


def bulletin_items(community_ids, *, since=None, until=None, limit: int = 50) -> list[Item]:
    return [
        Item(
            kind=BULLETIN,
            key=f"bulletin/{b.pk}",
            title=_("简报：%(title)s") % {"title": b.title},
            summary=_("%(start)s 至 %(end)s") % {"start": b.start_day.isoformat(), "end": b.end_day.isoformat()},
            path=reverse("bulletin-public", args=[b.pk]),
            published_at=b.published_at,
        )
        for b in dashboard_selectors.bulletins_published(community_ids, since=since, until=until, limit=limit)
    ]


def feed_items(community, *, limit: int = 50) -> list[Item]:
    """The community's feed: new cases, public notices, completed projects and bulletins, newest first (four
    queries)."""
    ids = [community.pk]
    items = [
        *case_items(ids, limit=limit),
        *notice_items(ids, limit=limit),
        *project_items(ids, limit=limit),
        *bulletin_items(ids, limit=limit),
    ]
    return sorted(items, key=lambda i: (i.published_at, i.key), reverse=True)[:limit]


def alert_items(community, *, since: datetime, until: datetime) -> list[Item]:
    """What is new in a community in (since, until] for its subscribers, oldest first (three queries)."""
    ids = [community.pk]
    items = [
        *case_items(ids, since=since, until=until, limit=200),
        *notice_items(ids, since=since, until=until),
        *bulletin_items(ids, since=since, until=until),
    ]
    return sorted(items, key=lambda i: (i.published_at, i.key))


def wanted(subscription: Subscription, item: Item) -> bool:
    """Whether this subscription asked for this item: its topic, and for a grid, a case in that grid."""
    topic = TOPIC_OF.get(item.kind)
    if topic is None or not getattr(subscription, topic):
        return False
    if subscription.grid_id is not None and item.kind == CASE and item.grid_id != subscription.grid_id:
        return False
    return item.published_at > subscription.delivered_until


def due_subscriptions() -> QuerySet[Subscription]:
    """Confirmed subscriptions, by community (for the alert sweep)."""
    return (
        Subscription.objects.filter(confirmed_at__isnull=False)
        .select_related("user", "community", "grid")
        .order_by("community_id", "pk")
    )


def subscriptions_of(user) -> list[Subscription]:
    return list(Subscription.objects.filter(user=user).select_related("community", "grid").order_by("pk"))


def by_token(token: str) -> Subscription | None:
    if not token or len(token) > 64:
        return None
    return Subscription.objects.select_related("community", "grid").filter(token=token).first()
