"""Bulletin writes: draft from the data, edit, publish. Figures are written as sentences from the selectors."""

from __future__ import annotations

from datetime import date
from importlib import import_module

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from youlin.access import policy
from youlin.dashboards.models import Bulletin, BulletinSection
from youlin.dashboards.selectors import Period, recently_fixed
from youlin.domain.errors import DomainError
from youlin.domain.writes import update_at_version
from youlin.places.models import Community


class BulletinError(DomainError):
    pass


# Other apps may contribute sentences (campaign and ledger figures, accepted projects): a module path with a
# function ``bulletin_sentences(community, period) -> list[str]``; missing modules are skipped.
SENTENCE_SOURCES = (
    "youlin.ledgers.selectors",
    "youlin.projects.selectors",
    "youlin.volunteers.selectors",
)


def _percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _case_sentences(community: Community, period: Period) -> list[str]:
    from youlin.cases.models import Case
    from youlin.cases.selectors import case_measures

    m = case_measures(start=period.start, end=period.end, cases=Case.objects.filter(community=community))
    if not m.registered_count and not m.closed_count:
        return []
    text = ngettext(
        "期间，社区共受理居民诉求 %(registered)s 件，办结 %(closed)s 件，按期结案率 %(on_time)s。",
        "期间，社区共受理居民诉求 %(registered)s 件，办结 %(closed)s 件，按期结案率 %(on_time)s。",
        m.registered_count,
    ) % {
        "registered": m.registered_count,
        "closed": m.closed_count,
        "on_time": _percent(m.on_time_rate),
    }
    if m.visit_count:
        text += _("回访满意率 %(rate)s。") % {"rate": _percent(m.satisfaction_rate)}
    return [text]


def _other_sentences(community: Community, period: Period) -> list[str]:
    sentences = []
    for path in SENTENCE_SOURCES:
        try:
            module = import_module(path)
        except ImportError:
            continue
        contribute = getattr(module, "bulletin_sentences", None)
        if contribute is not None:
            sentences.extend(contribute(community, period))
    return sentences


@transaction.atomic
def bulletin_draft(*, actor, title: str, start_day: date, end_day: date, communities) -> Bulletin:
    """Draft a bulletin: one section per community with its figures as sentences and its fixed cases."""
    title = (title or "").strip()
    if not title:
        raise BulletinError("invalid_input", _("请填写简报标题。"))
    if end_day < start_day:
        raise BulletinError("invalid_input", _("截止日期不能早于起始日期。"))
    communities = list(communities)
    if not communities:
        raise BulletinError("invalid_input", _("请至少选择一个社区。"))
    for community in communities:
        if not policy.can(actor, policy.CHANGE, community):
            raise BulletinError("permission_denied", _("您只能为自己负责的社区编写简报。"))
    bulletin = Bulletin.objects.create(title=title, start_day=start_day, end_day=end_day, created_by=actor)
    bulletin.communities.set(communities)
    period = Period(start_day, end_day)
    for position, community in enumerate(sorted(communities, key=lambda c: c.code)):
        fixed = [
            f for f in recently_fixed(community, limit=30) if start_day <= timezone.localdate(f.closed_at) <= end_day
        ]
        sentences = _case_sentences(community, period) + _other_sentences(community, period)
        for f in fixed[:3]:
            sentences.append(
                _("%(place)s的“%(category)s”问题，从上报到办结用时 %(days).1f 天。")
                % {"place": f.place, "category": f.category, "days": f.days}
            )
        if not sentences:
            sentences.append(_("本期暂无可报道的数据，请补充社区亮点做法。"))
        BulletinSection.objects.create(
            bulletin=bulletin,
            community=community,
            position=position,
            heading=f"{community.subdistrict.name}{community.name}",
            body="\n".join(sentences),
            highlights=[f.number for f in fixed if f.before and f.after][:4],
        )
    return bulletin


def _check(actor, target: Bulletin | BulletinSection, bulletin: Bulletin, expected_version: int) -> None:
    """``target``: the section edited (its community's staff) or the bulletin published (all its communities')."""
    if not policy.can(actor, policy.CHANGE, target):
        raise BulletinError("permission_denied", _("您没有权限修改这份简报。"))
    if bulletin.status != Bulletin.Status.DRAFT:
        raise BulletinError("illegal_transition", _("简报已发布，不能再修改。"))
    if bulletin.version != expected_version:
        raise _conflict()


def _conflict() -> BulletinError:
    return BulletinError("conflict", _("简报刚刚被其他人修改过，请刷新页面后再编辑。"))


def _bump(bulletin: Bulletin, expected_version: int, **fields) -> None:
    update_at_version(Bulletin, pk=bulletin.pk, expected_version=expected_version, conflict=_conflict, **fields)
    bulletin.refresh_from_db()


@transaction.atomic
def bulletin_section_update(
    *, actor, section: BulletinSection, heading: str, body: str, expected_version: int
) -> BulletinSection:
    bulletin = section.bulletin
    _check(actor, section, bulletin, expected_version)
    if not body.strip() or not heading.strip():
        raise BulletinError("invalid_input", _("小标题和正文都不能为空。"))
    _bump(bulletin, expected_version)
    section.heading, section.body = heading.strip()[:120], body.strip()
    section.save(update_fields=["heading", "body"])
    return section


@transaction.atomic
def bulletin_publish(*, actor, bulletin: Bulletin, expected_version: int) -> Bulletin:
    _check(actor, bulletin, bulletin, expected_version)
    _bump(bulletin, expected_version, status=Bulletin.Status.PUBLISHED, published_at=timezone.now())
    return bulletin
