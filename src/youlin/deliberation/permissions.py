"""Who may do what in a meeting, read from the access policy's jurisdiction and the meeting's invitations.

Convening, minuting and deciding belong to those who manage the meeting's community (its staff, its
sub-district's officers); voting belongs to signed-in invitees with a voting right; a notice is answered by
the residents of its community.
"""

from __future__ import annotations

from django.db.models import Q

from youlin.access import policy
from youlin.parties.models import Membership, Person


def manages(user, community_id: int) -> bool:
    j = policy.jurisdiction_of(user)
    return j.everything or community_id in j.manage_community_ids


def person_id_of(user) -> int | None:
    return policy.jurisdiction_of(user).person_id


def is_community_staff(user, community_id: int) -> bool:
    """Staff or secretary of this very community (a sub-district officer manages it but is not its staff)."""
    j = policy.jurisdiction_of(user)
    if j.everything:
        return True
    if j.person_id is None or not (j.roles & policy.MANAGE_ROLES):
        return False
    return (
        Membership.objects.filter(person_id=j.person_id, role__in=policy.MANAGE_ROLES)
        .filter(Q(community_id=community_id) | Q(community__isnull=True, organisation__community_id=community_id))
        .exists()
    )


def is_subdistrict_officer_for(user, subdistrict_id: int) -> bool:
    j = policy.jurisdiction_of(user)
    return j.everything or subdistrict_id in j.subdistrict_ids


def is_resident_of(user, community_id: int) -> bool:
    """Lives (or works) in the community: the person's community, or a membership at one of its places."""
    if user is None or not user.is_authenticated:
        return False
    j = policy.jurisdiction_of(user)
    if j.everything or community_id in j.view_community_ids:
        return True
    if j.person_id is None:
        return False
    return (
        Person.objects.filter(pk=j.person_id)
        .filter(
            Q(community_id=community_id)
            | Q(memberships__community_id=community_id)
            | Q(memberships__compound__community_id=community_id)
            | Q(memberships__building__compound__community_id=community_id)
            | Q(memberships__entrance__building__compound__community_id=community_id)
        )
        .exists()
    )
