"""Which rows hold which stored files, and so who may fetch a file: the registry behind the media route.

A file is served to whoever may view a row that holds it (through ``access.policy``, the one permission layer),
to anyone when such a row is public (a closed case's photos on a community's public page), and to whoever
uploaded it. Each app registers its rows from its ``rules.py``::

    files.register(Attachment(CasePhoto, photo="photo", public=lambda: Q(case__status__in=CLOSED_STATUSES)))
    files.register(Attachment(Material, photo="photo", file="document", filename=lambda m: m.title))

``photo`` is the lookup to a ``photos.Photo`` (a foreign key or many-to-many: its image and thumbnail are
covered); ``file`` names a file field on the row itself. ``grant`` lets a request without an account see rows
it holds a key to (the reporter's tracking link). A stored file no row holds is served to nobody but its
uploader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q


@dataclass(frozen=True)
class Attachment:
    model: type[Model]
    photo: str | None = None  # lookup to photos.Photo
    file: str | None = None  # a FileField of the row itself
    public: Callable[[], Q] | None = None  # the rows whose files anyone may fetch
    grant: Callable[[object], Q | None] | None = None  # request → rows it may see without an account
    filename: Callable[[Model], str] | None = None  # a document's download name (its extension is added)


_attachments: list[Attachment] = []


def register(attachment: Attachment) -> None:
    if attachment not in _attachments:
        _attachments.append(attachment)


def registered() -> list[Attachment]:
    return list(_attachments)
