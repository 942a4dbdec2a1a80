"""Monthly rankings (考核排名), as Beijing ranks sub-districts on their 12345 work every month.

Units of one level are ranked by the composite score (综合得分, from the three rates over valid follow-up visits;
see ``cases.selectors.Measures``), ties broken by the number of cases registered (the unit that handled more
ranks higher), then by name. A unit with no valid visit has no score and ranks after those with one. Each row
also carries 按期结案率, the counts, and the change against the month before.

A ranking is only meaningful over the whole peer group, so it is computed over all cases of the units compared,
and shows only aggregate figures. Who may see which peer group (``peer_groups``): the sub-districts of the
district, every staff-level user; the communities of a sub-district, its officers and the staff of its
communities; the responsible units, over the communities the user manages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import selectors as case_selectors
from youlin.cases.models import Case
from youlin.parties.models import Organisation
from youlin.places.models import Community, Subdistrict

LEVELS = {
    "subdistrict": _("街道"),
    "community": _("社区"),
    "organisation": _("责任单位"),
}


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, value: str | None, default: Month) -> Month:
        try:
            year, month = (int(part) for part in (value or "").split("-"))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return cls(year, month)
        except ValueError:
            pass
        return default

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def start(self) -> datetime:
        return datetime.combine(date(self.year, self.month, 1), time.min, tzinfo=timezone.get_current_timezone())

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass(frozen=True)
class PeerGroup:
    level: str  # a key of LEVELS
    key: str  # "district", "s<id>", "c<id ids>" — what the URL carries
    label: str
    community_ids: frozenset[int]


@dataclass
class RankRow:
    key: int
    name: str
    measures: case_selectors.Measures
    previous: case_selectors.Measures | None
    rank: int | None
    previous_rank: int | None

    @property
    def score_change(self) -> float | None:
        if self.measures.score is None or self.previous is None or self.previous.score is None:
            return None
        return self.measures.score - self.previous.score

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost since the month before."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def peer_groups(user) -> list[PeerGroup]:
    """The rankings a user may look at."""
    j = policy.jurisdiction_of(user)
    if not j.is_staff_level:
        return []
    groups = []
    all_communities = frozenset(Community.objects.values_list("pk", flat=True))
    groups.append(PeerGroup("subdistrict", "district", str(_("全区各街道")), all_communities))
    subdistricts = Subdistrict.objects.order_by("code")
    if not j.everything:
        mine = set(j.subdistrict_ids) | set(
            Community.objects.filter(pk__in=j.manage_community_ids).values_list("subdistrict_id", flat=True)
        )
        subdistricts = subdistricts.filter(pk__in=mine)
    for sd in subdistricts:
        ids = frozenset(Community.objects.filter(subdistrict=sd).values_list("pk", flat=True))
        groups.append(PeerGroup("community", f"s{sd.pk}", f"{sd.name}{_('各社区')}", ids))
    managed = all_communities if j.everything else frozenset(j.manage_community_ids)
    groups.append(PeerGroup("organisation", "units", str(_("责任单位")), managed))
    return groups


def _group_by(level: str) -> str:
    return {"subdistrict": "subdistrict", "community": "community", "organisation": "organisation"}[level]


def _names(level: str, keys) -> dict[int, str]:
    model = {"subdistrict": Subdistrict, "community": Community, "organisation": Organisation}[level]
    return {pk: obj.name for pk, obj in model.objects.in_bulk(list(keys)).items()}


def _ranked(grouped: dict) -> dict[int, int]:
    scored = [(k, m) for k, m in grouped.items() if k is not None and m.score is not None]
    scored.sort(key=lambda pair: (-pair[1].score, -pair[1].registered_count))
    ranks, last, last_rank = {}, None, 0
    for position, (key, m) in enumerate(scored, start=1):
        signature = (round(m.score, 6), m.registered_count)
        rank = last_rank if signature == last else position  # a full tie shares the place
        ranks[key] = rank
        last, last_rank = signature, rank
    return ranks


def ranking(group: PeerGroup, month: Month) -> list[RankRow]:
    """The ranking of one peer group for one month, with the month before (two aggregate queries)."""
    cases = Case.objects.filter(community_id__in=group.community_ids)
    by = _group_by(group.level)
    now = case_selectors.case_measures(start=month.start(), end=month.next.start(), cases=cases, group_by=by)
    before = case_selectors.case_measures(start=month.previous.start(), end=month.start(), cases=cases, group_by=by)
    keys = {k for k in [*now, *before] if k is not None}
    if group.level == "subdistrict":
        keys |= set(Subdistrict.objects.values_list("pk", flat=True))
    elif group.level == "community":
        keys |= set(group.community_ids)
    names = _names(group.level, keys)
    ranks, previous_ranks = _ranked(now), _ranked(before)
    rows = [
        RankRow(
            key=k,
            name=names.get(k, str(k)),
            measures=now.get(k) or case_selectors.Measures(),
            previous=before.get(k),
            rank=ranks.get(k),
            previous_rank=previous_ranks.get(k),
        )
        for k in keys
        if k in names
    ]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.measures.registered_count, r.name))
    return rows


def own_rank(user, month: Month) -> tuple[PeerGroup, RankRow, int] | None:
    """The viewer's own unit in its ranking this month (a sub-district officer's sub-district, a community's
    staff's community, a unit's people's unit): the group, the row and how many are ranked."""
    j = policy.jurisdiction_of(user)
    groups = peer_groups(user)
    wanted = None
    if j.subdistrict_ids:
        wanted = ("subdistrict", next(iter(sorted(j.subdistrict_ids))))
    elif j.manage_community_ids:
        wanted = ("community", next(iter(sorted(j.manage_community_ids))))
    if wanted is None:
        return None
    level, key = wanted
    for group in groups:
        if group.level != level:
            continue
        if level == "community" and key not in group.community_ids:
            continue
        rows = ranking(group, month)
        for row in rows:
            if row.key == key:
                return group, row, sum(1 for r in rows if r.rank is not None)
    return None
