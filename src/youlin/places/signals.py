"""Any write to a place outline (service, admin, loader) moves the places revision on."""

from django.db.models.signals import post_delete, post_save

from youlin.places.index import bump_revision


def _bump(sender, **kwargs):
    if kwargs.get("raw"):
        return
    bump_revision()


def connect() -> None:
    from youlin.places.models import Building, Community, Compound, Grid, Zone

    for model in (Community, Compound, Building, Grid, Zone):
        post_save.connect(_bump, sender=model, dispatch_uid=f"places-revision-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"places-revision-delete-{model.__name__}")
