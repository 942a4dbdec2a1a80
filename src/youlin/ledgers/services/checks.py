"""What every ledger write checks alike: who manages the community, the text and photos given, the ledger's
row lock for numbering, and links that must stay inside the ledger's community."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from youlin.access import policy
from youlin.domain.writes import required_text
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import Ledger, LedgerEntry
from youlin.parties.models import Organisation, Person
from youlin.photos.models import Photo
from youlin.photos.services import PhotoError, photo_prepare, photos_create

MAX_PHOTOS = 9
invalid = LedgerError.invalid


def _community_id(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def manages(actor, community) -> bool:
    j = policy.jurisdiction_of(actor)
    return j.everything or _community_id(community) in j.manage_community_ids


def require_manager(actor, community, what) -> None:
    if not manages(actor, community):
        raise LedgerError(
            LedgerErrorCode.PERMISSION_DENIED,
            _("只有本社区工作人员可以%(what)s。如需办理，请联系社区。") % {"what": what},
        )


def person_of(actor) -> Person | None:
    j = policy.jurisdiction_of(actor)
    return Person.objects.filter(pk=j.person_id).first() if j.person_id else None


def text(value, message, field: str, *, max_length: int | None = None) -> str:
    return required_text(value, message, field=field, error=LedgerError, max_length=max_length)


def check_photos(uploads: Sequence[UploadedFile]) -> list[UploadedFile]:
    """All photos are checked before anything is written."""
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_PHOTOS:
        raise invalid(
            ngettext("每次最多上传 %(n)d 张照片。", "每次最多上传 %(n)d 张照片。", MAX_PHOTOS) % {"n": MAX_PHOTOS},
            field="photos",
        )
    for upload in uploads:
        try:
            photo_prepare(upload)
        except PhotoError as exc:
            raise invalid(exc.message, field="photos") from None
    return uploads


def store_photos(actor, uploads: Sequence[UploadedFile]) -> list[Photo]:
    try:
        return photos_create(actor=actor, prepared=[photo_prepare(u) for u in uploads])
    except PhotoError as exc:  # the file store is down: nothing was stored
        raise invalid(exc.message, field="photos") from exc


def lock_ledger(ledger: Ledger) -> Ledger:
    """The ledger row, locked until the transaction ends: entries and numbering stay as checked."""
    return Ledger.objects.select_for_update().get(pk=ledger.pk)


def next_seq(ledger: Ledger) -> int:
    # The ledger row is locked by the caller, so two writers never take the same number.
    return (LedgerEntry.objects.filter(ledger=ledger).aggregate(m=Max("seq"))["m"] or 0) + 1


def check_links(ledger: Ledger, *, case=None, campaign=None, responsible_party=None) -> None:
    if case is not None and case.community_id != ledger.community_id:
        raise LedgerError(LedgerErrorCode.OUTSIDE_COMMUNITY, _("只能关联本社区的案件。"), field="case")
    if campaign is not None and campaign.community_id != ledger.community_id:
        raise LedgerError(LedgerErrorCode.OUTSIDE_COMMUNITY, _("只能关联本社区的工作重点。"), field="campaign")
    if responsible_party is not None and not isinstance(responsible_party, Organisation):
        raise invalid(_("责任单位不正确。"), field="responsible_party")
