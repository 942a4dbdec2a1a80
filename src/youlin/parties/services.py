"""Writes to parties: organisations, people, memberships, responsibilities (upserts by natural key)."""

from __future__ import annotations

from django.db import transaction

from youlin.parties.models import Membership, Organisation, Person, Responsibility


@transaction.atomic
def organisation_ensure(
    *, name: str, kind: str, community=None, subdistrict=None, phone: str = "", address: str = "", description: str = ""
) -> Organisation:
    values = {
        "community": community,
        "subdistrict": subdistrict,
        "phone": phone,
        "address": address,
        "description": description,
    }
    obj, created = Organisation.objects.get_or_create(name=name, kind=kind, defaults=values)
    if not created:
        changed = [f for f, v in values.items() if getattr(obj, f) != v]
        for f in changed:
            setattr(obj, f, values[f])
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])
    return obj


@transaction.atomic
def person_ensure(*, name: str, user=None, phone: str = "", community=None) -> Person:
    """People with a login are keyed by their user; the others by name within a community."""
    lookup = {"user": user} if user is not None else {"name": name, "community": community, "user": None}
    obj = Person.objects.filter(**lookup).first()
    if obj is None:
        return Person.objects.create(name=name, user=user, phone=phone, community=community)
    values = {"name": name, "phone": phone, "community": community}
    changed = [f for f, v in values.items() if getattr(obj, f) != v]
    for f in changed:
        setattr(obj, f, values[f])
    if changed:
        obj.save(update_fields=[*changed, "updated_at"])
    return obj


@transaction.atomic
def person_named(*, name: str, community=None) -> Person:
    """A person without a login named on the spot (a representative entering a meeting): the one of that name in
    the community, or a new one. Unlike ``person_ensure`` it changes nothing on a person already known."""
    obj = Person.objects.filter(name=name, community=community, user=None).order_by("pk").first()
    return obj or Person.objects.create(name=name, community=community)


@transaction.atomic
def membership_ensure(*, person: Person, role: str, title: str = "", **scope) -> Membership:
    keys = ("organisation", "subdistrict", "community", "compound", "building", "entrance", "grid", "zone")
    lookup = {k: scope.get(k) for k in keys}
    obj, created = Membership.objects.get_or_create(person=person, role=role, **lookup, defaults={"title": title})
    if not created and obj.title != title:
        obj.title = title
        obj.save(update_fields=["title"])
    return obj


@transaction.atomic
def responsibility_ensure(*, organisation: Organisation, duty: str, **place) -> Responsibility:
    keys = ("subdistrict", "community", "compound", "building", "zone")
    lookup = {k: place.get(k) for k in keys}
    obj, _created = Responsibility.objects.get_or_create(organisation=organisation, duty=duty, **lookup)
    return obj
