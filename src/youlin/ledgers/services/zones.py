"""Zone responsibility (分片包干): the garden groups' patrol and maintenance logs of their zones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.domain.writes import actor_user
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import ZoneLog
from youlin.ledgers.services.checks import check_photos, invalid, manages, person_of, store_photos
from youlin.parties.models import Membership, Organisation, Responsibility
from youlin.places.models import Zone


def zone_groups(zone: Zone) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            responsibilities__zone=zone, responsibilities__duty=Responsibility.Duty.GARDEN_GROUP
        ).distinct()
    )


@transaction.atomic
def zone_log_record(
    *,
    actor,
    zone: Zone,
    kind: str,
    note: str = "",
    photos: Sequence[UploadedFile] = (),
    logged_at: datetime | None = None,
) -> ZoneLog:
    """A garden group member's patrol or maintenance of the group's zone; community staff may log any zone."""
    if kind not in ZoneLog.Kind.values:
        raise invalid(_("日志类型应为巡查或养护。"), field="kind")
    groups = zone_groups(zone)
    j = policy.jurisdiction_of(actor)
    member_of = [g for g in groups if g.pk in j.organisation_ids]
    holds_zone = j.person_id is not None and Membership.objects.filter(person_id=j.person_id, zone=zone).exists()
    if not (member_of or holds_zone or manages(actor, zone.community_id)):
        raise LedgerError(LedgerErrorCode.PERMISSION_DENIED, _("只有负责该片区的花园管理小组成员可以记录日志。"))
    now = timezone.now()
    logged_at = logged_at or now
    if logged_at > now:
        raise invalid(_("时间不能晚于现在。"), field="logged_at")
    uploads = check_photos(photos)
    organisation = member_of[0] if member_of else (groups[0] if groups else None)
    log = ZoneLog.objects.create(
        zone=zone,
        organisation=organisation,
        kind=kind,
        logged_at=logged_at,
        note=note.strip(),
        recorded_by=actor_user(actor),
        person=person_of(actor),
    )
    stored = store_photos(actor, uploads)
    if stored:
        log.photos.add(*stored)
    return log
