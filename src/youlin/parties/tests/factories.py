"""factory_boy factories for parties, made through the real services (``parties.services.*_ensure``)."""

from __future__ import annotations

import factory

from youlin.accounts.tests.factories import UserFactory
from youlin.parties import services
from youlin.parties.models import Membership, Organisation, Person, Role
from youlin.places.tests.factories import CommunityFactory, through


class OrganisationFactory(factory.Factory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Organisation.Kind.PROPERTY_MANAGER
    community = factory.SubFactory(CommunityFactory)
    _create = through(services.organisation_ensure)


class PersonFactory(factory.Factory):
    """A person with a login (``user``) in a community; ``PersonFactory(user=None)`` for one without."""

    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n}")
    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    _create = through(services.person_ensure)


class MembershipFactory(factory.Factory):
    """A role held by a person, scoped as the keyword arguments say: ``MembershipFactory(role=Role.COMMUNITY_STAFF,
    community=c)``; by default a community staff member of the person's own community."""

    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    role = Role.COMMUNITY_STAFF
    community = factory.LazyAttribute(lambda o: o.person.community)
    _create = through(services.membership_ensure)
