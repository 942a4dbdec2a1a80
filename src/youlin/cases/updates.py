"""Updates on a case (进展留言): who may add, read, hide and flag them, and the reads that apply it.

- Anyone who sees the case (its community's staff and grid workers, the responsible units, the sub-district)
  and its reporter (signed in, or through the tracking link) may add an update.
- Staff (the community, the sub-district, the responsible units, grid workers) may keep an update internal;
  residents' and the reporter's updates are always public.
- Everyone who may read the case reads its public updates; staff read the internal ones too. The reporter's
  tracking page and the API show the public ones the same way.
- The community's staff and the sub-district hide an update (with a reason; it is kept) and show it again.
- Anyone may flag an update as abusive, once.

Writes are in ``services.updates``; this module holds the rules and the reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from youlin.cases.models import MASKED_REPORTER_CHANNELS, Case, CaseUpdate
from youlin.cases.permissions import Standing
from youlin.core.privacy import mask_name, mask_text
from youlin.photos.models import Photo

MAX_TEXT = 2000
MAX_SHOWN = 200  # the newest updates a page shows; a case with more is a conversation for a meeting


def may_add(standing: Standing) -> bool:
    return standing.is_reporter or standing.sees_case


def may_moderate(standing: Standing) -> bool:
    return standing.is_manager


@dataclass(frozen=True)
class Shown:
    """One update as a reader sees it: personal data masked unless the reader manages the case."""

    update: CaseUpdate
    author: str
    text: str
    photos: list[Photo]
    can_hide: bool
    can_restore: bool

    @property
    def pk(self) -> int:
        return self.update.pk


def _author(update: CaseUpdate, case: Case, *, full: bool) -> str:
    from django.utils.translation import gettext as _

    if update.by_staff:
        if full:
            return f"{update.author_label}（{update.author_unit}）" if update.author_unit else update.author_label
        return update.author_unit or str(_("工作人员"))
    if update.by_reporter:
        name = update.author_label
        masked = not full and (case.channel in MASKED_REPORTER_CHANNELS or update.author_id is None)
        name = mask_name(name) if masked else name
        return f"{_('报告人')} {name}".strip()
    return update.author_label if full else mask_name(update.author_label)


def thread(case: Case, *, standing: Standing | None, public: bool = False) -> list[Shown]:
    """The updates of a case this reader may see, oldest first (two queries: the updates and their photos).
    ``public``: the reporter's tracking page and anonymous readers, public and unhidden updates only."""
    staff = standing is not None and not public and standing.works_on_case
    manager = standing is not None and not public and standing.is_manager
    rows: QuerySet[CaseUpdate] = case.updates.all()
    if not staff:
        rows = rows.filter(is_public=True, hidden_at__isnull=True)
    elif not manager:
        rows = rows.filter(hidden_at__isnull=True)
    rows = rows.prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("pk"))).order_by(
        "-created_at", "-id"
    )[:MAX_SHOWN]
    shown = []
    for update in reversed(list(rows)):
        shown.append(
            Shown(
                update=update,
                author=_author(update, case, full=manager),
                text=update.text if manager else mask_text(update.text),
                photos=list(update.photos.all()),
                can_hide=manager and not update.is_hidden,
                can_restore=manager and update.is_hidden,
            )
        )
    return shown


def public_update(case: Case, pk: int) -> CaseUpdate | None:
    """A public, shown update of this case (what anyone may flag)."""
    return case.updates.filter(pk=pk, is_public=True, hidden_at__isnull=True).first()
