"""Read endpoints for ledgers (台账) and campaigns: what a caller's jurisdiction allows, none anonymous."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema

from youlin.access import policy
from youlin.api import auth
from youlin.api.errors import ERRORS
from youlin.ledgers.models import Ledger, LedgerEntry
from youlin.ledgers.selectors import campaign_progress, visible_campaigns

router = Router(tags=["ledgers"])


class LedgerOut(Schema):
    id: int
    name: str
    kind: str
    community: str


class EntryOut(Schema):
    id: int
    seq: int
    location: str
    description: str
    category: str | None
    root_cause: str
    measure_class: str
    responsible_party: str | None
    deadline: date | None
    status: str
    case: str | None
    campaign: str | None


class CampaignOut(Schema):
    id: int
    title: str
    community: str
    target: int
    done: int
    percent: int
    continuing: bool


class EntryPage(Schema):
    limit: int = 50
    after_seq: int | None = None
    status: str | None = None


@router.get("/ledgers", response={200: list[LedgerOut], **ERRORS}, auth=auth.required)
def ledger_list(request):
    qs = policy.scope(request.user, Ledger.objects.select_related("community")).order_by("community__code", "pk")
    return [{"id": x.pk, "name": x.name, "kind": x.kind, "community": x.community.name} for x in qs[:500]]


@router.get("/ledgers/{ledger_id}/entries", response={200: list[EntryOut], **ERRORS}, auth=auth.required)
def ledger_entries(request, ledger_id: int, page: Query[EntryPage]):
    """Entries in 序号 order, keyset on ``seq`` (pass the last one as ``after_seq``)."""
    ledger = policy.get_for(request.user, Ledger.objects.all(), policy.VIEW, pk=ledger_id)
    qs = policy.scope(
        request.user,
        LedgerEntry.objects.filter(ledger=ledger).select_related("category", "responsible_party", "case", "campaign"),
    ).order_by("seq")
    if page.after_seq is not None:
        qs = qs.filter(seq__gt=page.after_seq)
    if page.status:
        qs = qs.filter(status=page.status)
    return [
        {
            "id": e.pk,
            "seq": e.seq,
            "location": e.location_text,
            "description": e.description,
            "category": e.category.label if e.category_id else None,
            "root_cause": e.root_cause,
            "measure_class": e.measure_class,
            "responsible_party": e.responsible_party.name if e.responsible_party_id else None,
            "deadline": e.deadline,
            "status": e.status,
            "case": e.case.number if e.case_id else None,
            "campaign": e.campaign.title if e.campaign_id else None,
        }
        for e in qs[: max(1, min(page.limit, 200))]
    ]


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS}, auth=auth.required)
def campaign_list(request):
    """Campaigns with progress computed from their ledger entries and cases."""
    return [
        {
            "id": p.campaign.pk,
            "title": p.campaign.title,
            "community": p.campaign.community.name,
            "target": p.target,
            "done": p.done,
            "percent": p.percent,
            "continuing": p.continuing,
        }
        for p in campaign_progress(list(visible_campaigns(request.user)[:200]))
    ]
