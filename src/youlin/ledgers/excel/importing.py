"""Importing a ledger sheet: all rows or none.

Every row is checked first (``plan_import``, reads only): the place (a compound or building of the ledger's
community), the responsible party (an organisation's exact name), dates, the status and its step from the stored
status, the required cells. Any bad row means nothing is written, and the answer lists (row, column, reason) with
row numbers as the spreadsheet shows them. A row with a 序号 the ledger already has updates that entry; other rows
are added. So exporting a ledger and importing the file again changes nothing: the file round-trips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youlin.domain.tabular import Reading, Row, RowError, Sheet
from youlin.ledgers.errors import LedgerImportError
from youlin.ledgers.excel.columns import KEPT_WHEN_MISSING, TABLE
from youlin.ledgers.models import Campaign, EntryStatus, Ledger, LedgerEntry
from youlin.ledgers.resolvers import PartyResolver, PlaceResolver, normalise
from youlin.ledgers.services.checks import lock_ledger, require_manager
from youlin.ledgers.services.entries import status_change_allowed

ENTRY_FIELDS = (
    "location_text",
    "compound_id",
    "building_id",
    "lon",
    "lat",
    "category_id",
    "description",
    "root_cause",
    "measure_class",
    "measure",
    "responsible_party_id",
    "deadline",
    "status",
    "result",
    "done_on",
    "case_id",
    "campaign_id",
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: list[LedgerEntry] = field(default_factory=list)


@dataclass
class Plan:
    ledger: Ledger
    creates: list[LedgerEntry] = field(default_factory=list)
    updates: list[LedgerEntry] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    # The stored values of each entry an update changes, as read by the plan (to check and to undo).
    before: dict[int, dict[str, Any]] = field(default_factory=dict)


def read_sheet(content: bytes) -> Sheet:
    """The first sheet's header and data rows; refuses (``LedgerImportError``) a file that is not an .xlsx,
    too large, or without the header in its first rows."""
    return TABLE.read(content)


def count_rows(content: bytes) -> int:
    """Data rows under the header (blank lines included); for choosing between now and the background."""
    return sum(1 for _ in read_sheet(content).rows)


def _categories() -> dict[str, Any]:
    from youlin.cases.models import Category

    lookup: dict[str, Any] = {}
    for c in Category.objects.filter(is_active=True).order_by("-kind", "code"):  # a matter wins over a component
        lookup[c.code] = c
        lookup[normalise(c.name)] = c
        lookup[normalise(f"{c.code}{c.name}")] = c
    return lookup


class _Checks:
    """The checks that need the ledger's community: places, parties, categories, campaigns and cases by their
    names, the stored entries by 序号. Each lookup table is loaded once, for the columns the file has."""

    def __init__(self, ledger: Ledger, reading: Reading, rows: list[Row], today: date):
        from youlin.cases.models import Case

        self.today = today
        self.places = PlaceResolver(ledger.community_id)
        self.parties = PartyResolver(ledger.community)
        self.categories = _categories() if reading.has("category") else {}
        self.campaigns = (
            {normalise(c.title): c for c in Campaign.objects.filter(community_id=ledger.community_id)}
            if reading.has("campaign")
            else {}
        )
        numbers = {row.text["case"] for row in rows if row.text.get("case")}
        self.cases = (
            {c.number: c for c in Case.objects.filter(number__in=numbers, community_id=ledger.community_id)}
            if numbers
            else {}
        )
        self.existing = {e.seq: e for e in LedgerEntry.objects.filter(ledger=ledger)}
        self.seen_seq: dict[int, int] = {}

    def values(self, row: Row) -> tuple[LedgerEntry | None, dict[str, Any]]:
        """The stored entry the row updates (by 序号), and the entry's fields from the row; problems go on the
        row."""
        current = self._stored(row)
        place = self._place(row)
        party = self._party(row)
        status = self._status(row, current)
        self._done_on(row, status)
        category, campaign, case = self._category(row), self._campaign(row), self._case(row)
        if not row.ok:
            return current, {}
        done_on = row["done_on"] or (current.done_on if current and current.done_on else self.today)
        return current, {
            "location_text": row.text["location"],
            "compound_id": place.compound.pk,
            "building_id": place.building.pk if place.building else None,
            "lon": place.lon,
            "lat": place.lat,
            "category_id": category.pk if category else None,
            "description": row.text["description"],
            "root_cause": row.text.get("root_cause", ""),
            "measure_class": row["measure_class"] or "",
            "measure": row.text.get("measure", ""),
            "responsible_party_id": party.pk,
            "deadline": row["deadline"],
            "status": status,
            "result": row.text.get("result", ""),
            "done_on": done_on if status == EntryStatus.DONE else None,
            "case_id": case.pk if case else None,
            "campaign_id": campaign.pk if campaign else None,
        }

    def _stored(self, row: Row) -> LedgerEntry | None:
        seq = row["seq"]
        if seq is None:
            return None
        if seq in self.seen_seq:
            row.bad("seq", _("与第 %(row)d 行的序号重复。") % {"row": self.seen_seq[seq]})
            return None
        self.seen_seq[seq] = row.number
        return self.existing.get(seq)

    def _place(self, row: Row):
        if row["location"] is None:
            return None
        place = self.places.resolve(row["location"])
        if place is None:
            row.bad(
                "location", _("找不到该位置：应以本社区的小区/院落名称开头（可加楼栋），如“月坛北小街1号院1号楼”。")
            )
        return place

    def _party(self, row: Row):
        if not row.text["party"]:
            return None
        party = self.parties.resolve(row.text["party"])
        if party is PartyResolver.AMBIGUOUS:
            row.bad("party", _("有多个单位叫这个名称，请在系统中核对后再导入。"))
        elif party is None:
            row.bad("party", _("找不到该责任单位：请使用系统中登记的单位全称。"))
        return party

    def _status(self, row: Row, current: LedgerEntry | None) -> str | None:
        # An empty 整改情况 keeps a stored entry's status; a new entry starts open.
        if not row.text.get("status"):
            return current.status if current is not None else EntryStatus.OPEN
        status = row["status"]
        if current is not None and status and not status_change_allowed(current.status, status):
            row.bad(
                "status",
                _("该条目当前为“%(from)s”，不能直接改为“%(to)s”。")
                % {"from": current.get_status_display(), "to": EntryStatus(status).label},
            )
        return status

    def _done_on(self, row: Row, status: str | None) -> None:
        done_on = row["done_on"]
        if done_on is None:
            return
        if done_on > self.today:
            row.bad("done_on", _("完成日期不能晚于今天。"))
        elif status and status != EntryStatus.DONE:
            row.bad("done_on", _("只有“已整改”的条目才有完成日期。"))

    def _category(self, row: Row):
        if not row.text.get("category"):
            return None
        raw = normalise(row.text["category"])
        category = self.categories.get(raw) or self.categories.get(raw[:5])
        if category is None:
            row.bad("category", _("问题类别不存在：请填写 5 位类别代码或类别名称。"))
        return category

    def _campaign(self, row: Row):
        if not row.text.get("campaign"):
            return None
        campaign = self.campaigns.get(normalise(row.text["campaign"]))
        if campaign is None:
            row.bad("campaign", _("本社区没有这个阶段性工作重点，请先在系统中设立。"))
        return campaign

    def _case(self, row: Row):
        if not row.text.get("case"):
            return None
        case = self.cases.get(row.text["case"])
        if case is None:
            row.bad("case", _("本社区没有这个案件编号。"))
        return case


def plan_import(
    *,
    ledger: Ledger,
    sheet: Sheet,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> Plan:
    """Check every row against the ledger's community; reads only. ``progress`` hears the rows checked."""
    plan = Plan(ledger=ledger)
    reading = TABLE.reading(sheet)
    rows = list(reading.rows(progress))
    plan.rows = reading.count
    if reading.errors:
        plan.errors = TABLE.sort(reading.errors)
        return plan
    checks = _Checks(ledger, reading, rows, today or timezone.localdate())
    now = timezone.now()
    for row in rows:
        current, values = checks.values(row)
        if not row.ok:
            plan.errors.extend(row.errors)
        elif current is not None:
            _plan_update(plan, reading, current, values, now)
        else:
            plan.creates.append(
                LedgerEntry(
                    ledger=ledger,
                    community_id=ledger.community_id,
                    seq=row["seq"] or 0,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
    plan.errors = TABLE.sort(plan.errors)
    return plan


def _plan_update(plan: Plan, reading: Reading, current: LedgerEntry, values: dict, now: datetime) -> None:
    # Columns the file leaves out keep their stored values.
    for key, stored in KEPT_WHEN_MISSING.items():
        if not reading.has(key):
            values[stored] = getattr(current, stored)
    if all(getattr(current, f) == v for f, v in values.items()):
        plan.unchanged += 1
        return
    plan.before[current.pk] = {f: getattr(current, f) for f in (*ENTRY_FIELDS, "updated_at")}
    for f, v in values.items():
        setattr(current, f, v)
    current.updated_at = now
    plan.updates.append(current)


@transaction.atomic
def ledger_import(
    *,
    actor,
    ledger: Ledger,
    file: bytes | None = None,
    rows: Iterable[Mapping[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import an .xlsx (``file``) or dict rows (keyed by header or column key) into ``ledger``: all rows or none.
    Raises ``LedgerImportError`` listing every problem, having written nothing."""
    require_manager(actor, ledger.community_id, gettext("导入台账"))
    sheet = read_sheet(file) if file is not None else TABLE.sheet_from_dicts(rows or [])
    ledger = lock_ledger(ledger)  # entries and numbering stay as checked until the writes commit
    plan = plan_import(ledger=ledger, sheet=sheet, progress=progress)
    if plan.errors:
        raise LedgerImportError(plan.errors)
    return _write(plan)


def _write(plan: Plan) -> ImportResult:
    taken = {e.seq for e in LedgerEntry.objects.filter(ledger=plan.ledger).only("seq")} | {
        e.seq for e in plan.creates if e.seq
    }
    next_seq = max(taken, default=0) + 1
    for entry in plan.creates:
        if not entry.seq:
            entry.seq = next_seq
            next_seq += 1
    created = LedgerEntry.objects.bulk_create(plan.creates, batch_size=1000)
    if plan.updates:
        LedgerEntry.objects.bulk_update(plan.updates, [*ENTRY_FIELDS, "updated_at"], batch_size=1000)
    return ImportResult(
        created=len(created), updated=len(plan.updates), unchanged=plan.unchanged, entries=created + plan.updates
    )
