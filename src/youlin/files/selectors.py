"""Who may fetch a stored file: public, allowed to this request, or not (answered as missing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from youlin.access import policy
from youlin.files.attachments import registered


@dataclass(frozen=True)
class Access:
    public: bool  # anyone may fetch it (and any cache may keep it)
    filename: str = ""  # a document's download name, without extension ("": the stored name)


def request_user(request):
    """The session's user, or the user of a personal API token (so API clients can fetch the photo URLs the API
    gives them), or the anonymous user."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    scheme, _sep, raw = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        from youlin.api.selectors import user_for_token

        return user_for_token(raw.strip()) or user
    return user


def file_access(request, name: str) -> Access | None:
    """How ``name`` (a storage name) may be served to ``request``; ``None``: not at all (404, as for a missing
    file, so trying names tells nothing)."""
    from youlin.photos.models import Photo

    photo = Photo.objects.filter(Q(image=name) | Q(thumbnail=name)).values_list("pk", "uploaded_by_id").first()
    holders = []  # (attachment, the rows holding this file)
    for attachment in registered():
        manager = attachment.model._default_manager
        if photo is not None and attachment.photo:
            holders.append((attachment, manager.filter(**{attachment.photo: photo[0]})))
        elif photo is None and attachment.file:
            holders.append((attachment, manager.filter(**{attachment.file: name})))
    for attachment, rows in holders:
        if attachment.public is not None and rows.filter(attachment.public()).exists():
            return Access(public=True)
    user = request_user(request)
    if photo is not None and user is not None and user.is_authenticated and photo[1] == user.pk:
        return Access(public=False)  # the uploader, before the photo is attached to anything
    for attachment, rows in holders:
        row = policy.scope(user, rows).first()
        if row is None and attachment.grant is not None:
            granted = attachment.grant(request)
            row = rows.filter(granted).first() if granted is not None else None
        if row is not None:
            return Access(public=False, filename=attachment.filename(row) if attachment.filename else "")
    return None
