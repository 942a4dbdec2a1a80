"""The demo ledgers and volunteer work: the seed's figures come from the data, and loading twice changes nothing."""

import pytest

from youlin.demo.ledgers import load_demo_ledgers
from youlin.demo.volunteers import load_demo_volunteers
from youlin.ledgers import selectors
from youlin.ledgers.models import Campaign, Ledger, LedgerEntry, ZoneLog
from youlin.volunteers.models import Activity, SignUp


@pytest.fixture
def demo_ledgers(demo_cases):
    load_demo_ledgers()
    load_demo_volunteers()


def test_seed_figures_come_from_the_data(demo_ledgers, demo_user):
    staff = demo_user("fwd_staff")
    junk = Campaign.objects.get(community__name="阜外东社区", title="清理堆物堆料")
    (progress,) = selectors.campaign_progress([junk])
    assert progress.done == 65
    assert progress.continuing
    hazard = Ledger.objects.get(community__name="阜外东社区", kind=Ledger.Kind.HAZARD)
    counters = {c.label: c.count for c in selectors.ledger_counters(hazard)}
    assert counters["道路破损（维修）"] == 13
    assert counters["树坑破损（维修）"] == 5
    assert len(selectors.campaign_progress(list(selectors.visible_campaigns(staff)))) == 6
    first = LedgerEntry.objects.get(ledger__kind=Ledger.Kind.RECTIFICATION, seq=1)
    assert {p.kind for p in first.photos.all()} == {"before", "after"}
    assert first.case is not None


def test_demo_is_idempotent(demo_ledgers):
    counts = (LedgerEntry.objects.count(), ZoneLog.objects.count(), Activity.objects.count(), SignUp.objects.count())
    load_demo_ledgers()
    load_demo_volunteers()
    assert (
        LedgerEntry.objects.count(),
        ZoneLog.objects.count(),
        Activity.objects.count(),
        SignUp.objects.count(),
    ) == counts


def test_two_gangyuan_zones_are_not_covered(demo_ledgers, demo_user):
    coverage = selectors.zone_coverage(demo_user("gy_secretary"), days=14)
    assert len(coverage) == 13
    assert sorted(c.zone.name for c in coverage if not c.covered) == ["第12片区绿地", "第13片区绿地"]
