"""Setting up a community's ledgers (the two standard ones, or its own) and its campaigns (阶段性工作重点) with
the cases counted towards them."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from youlin.domain.writes import actor_user
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import Campaign, CampaignCase, Ledger
from youlin.ledgers.services.checks import invalid, require_manager, text
from youlin.places.models import Community


@transaction.atomic
def ledger_ensure(*, community: Community, kind: str, name: str, description: str = "") -> Ledger:
    """A community's ledger by name, created if missing (for set-up and the demo; no actor)."""
    ledger, _created = Ledger.objects.get_or_create(
        community=community, name=name, defaults={"kind": kind, "description": description}
    )
    return ledger


@transaction.atomic
def ledger_create(
    *, actor, community: Community, name: str, kind: str = Ledger.Kind.CUSTOM, description: str = ""
) -> Ledger:
    """A ledger type the community defines itself (or one of the two standard ones)."""
    require_manager(actor, community, _("新建台账"))
    name = text(name, _("请填写台账名称。"), "name", max_length=80)
    if kind not in Ledger.Kind.values:
        raise invalid(_("台账类型不正确。"), field="kind")
    if Ledger.objects.filter(community=community, name=name).exists():
        raise invalid(_("本社区已有同名台账，请换一个名称。"), field="name")
    return Ledger.objects.create(community=community, kind=kind, name=name, description=description.strip())


@transaction.atomic
def campaign_create(
    *,
    actor,
    community: Community,
    title: str,
    starts_on: date,
    ends_on: date | None = None,
    target_count: int = 0,
    description: str = "",
) -> Campaign:
    require_manager(actor, community, _("设立阶段性工作重点"))
    title = text(title, _("请填写工作重点名称，如“清理堆物堆料”。"), "title", max_length=80)
    if starts_on is None:
        raise invalid(_("请填写开始日期。"), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise invalid(_("结束日期不能早于开始日期。"), field="ends_on")
    if target_count is None or target_count < 0:
        raise invalid(_("目标数不能为负数。"), field="target_count")
    if Campaign.objects.filter(community=community, title=title).exists():
        raise invalid(_("本社区已有同名工作重点。"), field="title")
    return Campaign.objects.create(
        community=community,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        target_count=target_count,
        description=description.strip(),
        created_by=actor_user(actor),
    )


@transaction.atomic
def campaign_case_link(*, actor, campaign: Campaign, case) -> CampaignCase:
    """Count a case towards a campaign (a case of the campaign's community only)."""
    require_manager(actor, campaign.community_id, _("关联案件"))
    if case.community_id != campaign.community_id:
        raise LedgerError(LedgerErrorCode.OUTSIDE_COMMUNITY, _("只能关联本社区的案件。"), field="case")
    link, _created = CampaignCase.objects.get_or_create(campaign=campaign, case=case)
    return link
