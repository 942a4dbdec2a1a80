"""The Django admin goes through the access policy: every youlin model's admin is a ``ScopedAdmin``, its forms offer
only rows of the user's jurisdiction (person names masked), and no save or delete lands outside it."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

from youlin.access import policy
from youlin.access.admin import PUBLIC_CHOICES, ScopedAdmin, ScopedInline
from youlin.core.privacy import mask_name
from youlin.parties.models import Person
from youlin.places.models import Community, Compound

pytestmark = pytest.mark.django_db

SPK = "shoupakou-nanjie"


def _youlin_admins():
    return [ma for model, ma in admin.site._registry.items() if model.__module__.startswith("youlin.")]


def test_every_youlin_admin_is_scoped():
    loose = [type(ma).__name__ for ma in _youlin_admins() if not isinstance(ma, ScopedAdmin)]
    assert loose == [], f"admin classes outside the access policy (make them ScopedAdmin): {loose}"
    inlines = [
        inline.__name__ for ma in _youlin_admins() for inline in ma.inlines if not issubclass(inline, ScopedInline)
    ]
    assert inlines == [], f"inlines outside the access policy (make them ScopedInline): {inlines}"


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _choice_fields(form_class):
    form = form_class()
    return [
        (name, field)
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
    ]


def _forms_of(ma, request):
    found = [(type(ma).__name__, ma.get_form(request))]
    for inline in ma.get_inline_instances(request) or [i(ma.model, ma.admin_site) for i in ma.inlines]:
        found.append((type(inline).__name__, inline.get_formset(request).form))
    return found


def _allowed(user, model):
    if model._meta.label in PUBLIC_CHOICES:
        return set(model._default_manager.values_list("pk", flat=True))
    if model._meta.label == "accounts.User":
        people = policy.scope(user, Person.objects.all(), policy.VIEW)
        return set(people.exclude(user=None).values_list("user_id", flat=True))
    try:
        policy.rule_for(model)
    except LookupError:
        return set()  # no jurisdiction rule: not offered to anyone below the district
    return set(policy.scope(user, model._default_manager.all(), policy.VIEW).values_list("pk", flat=True))


@pytest.mark.parametrize("username", ["spk_staff", "gw_officer"])
def test_every_admin_form_offers_only_rows_of_the_jurisdiction(demo_cases, users, username):
    user = getattr(users, username)
    request = _request(user)
    checked = 0
    for ma in _youlin_admins():
        for owner, form_class in _forms_of(ma, request):
            for name, field in _choice_fields(form_class):
                model = field.queryset.model
                offered = set(field.queryset.values_list("pk", flat=True))
                extra = offered - _allowed(user, model)
                assert not extra, f"{owner}.{name} offers {len(extra)} {model.__name__} rows outside {username}'s"
                checked += 1
    assert checked > 20


def _person_labels(user) -> set[str]:
    request = _request(user)
    labels = set()
    for ma in _youlin_admins():
        for _owner, form_class in _forms_of(ma, request):
            for _name, field in _choice_fields(form_class):
                if field.queryset.model is Person:
                    labels |= {str(label) for value, label in field.choices if value}
    return labels


def test_person_choices_are_masked_unless_the_user_manages_the_person(demo, users):
    """As on the organisation page: full names for people one manages, masked for people one only sees."""
    from youlin.parties.models import Membership, Role
    from youlin.parties.services import membership_ensure

    user = users.spk_staff
    foreign = _foreign_community()
    membership_ensure(person=Person.objects.get(user=user), role=Role.GRID_WORKER, community=foreign)
    assert not Membership.objects.filter(person__user=user, community=foreign, role__in=policy.MANAGE_ROLES).exists()
    user = type(user).objects.get(pk=user.pk)  # a fresh jurisdiction
    labels = _person_labels(user)
    managed = set(policy.scope(user, Person.objects.all(), policy.CHANGE).values_list("name", flat=True))
    seen_only = set(Person.objects.filter(community=foreign).exclude(name="").values_list("name", flat=True))
    assert seen_only and managed
    assert not seen_only & labels, "names of people one only sees are masked"
    assert {mask_name(n) for n in seen_only} & labels
    assert managed & labels, "names of people one manages are shown in full"


@pytest.fixture
def staff_client(client, users):
    client.force_login(users.spk_staff)
    return client


def _foreign_community():
    return Community.objects.exclude(slug=SPK).first()


def test_staff_cannot_add_a_compound_in_another_community(demo, staff_client):
    foreign = _foreign_community()
    before = Compound.objects.filter(community=foreign).count()
    page = staff_client.get("/admin/places/compound/add/")
    assert page.status_code == 200
    assert foreign.name not in page.content.decode()
    response = staff_client.post(
        "/admin/places/compound/add/",
        {"name": "越权小区", "kind": "estate", "community": foreign.pk, "households": 10},
    )
    assert response.status_code in {200, 403}
    assert Compound.objects.filter(community=foreign).count() == before
    assert not Compound.objects.filter(name="越权小区").exists()


def test_staff_can_add_a_compound_in_their_own_community(demo, staff_client):
    own = Community.objects.get(slug=SPK)
    response = staff_client.post(
        "/admin/places/compound/add/",
        {"name": "新小区", "kind": "estate", "community": own.pk, "households": 10},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Compound.objects.filter(name="新小区", community=own).exists()


def test_staff_cannot_add_a_person_in_another_community(demo, staff_client):
    foreign = _foreign_community()
    page = staff_client.get("/admin/parties/person/add/")
    assert page.status_code == 200
    content = page.content.decode()
    assert foreign.name not in content
    stranger = Person.objects.filter(community=foreign).exclude(name="").first()
    assert stranger.name not in content
    response = staff_client.post(
        "/admin/parties/person/add/",
        {
            "name": "越权居民",
            "community": foreign.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in {200, 403}
    assert not Person.objects.filter(name="越权居民").exists()


def test_staff_cannot_change_a_foreign_row_by_url(demo, staff_client):
    foreign = Compound.objects.exclude(community__slug=SPK).first()
    assert staff_client.get(f"/admin/places/compound/{foreign.pk}/change/").status_code in {302, 403, 404}
    response = staff_client.post(
        f"/admin/places/compound/{foreign.pk}/change/",
        {"name": "改名", "kind": foreign.kind, "community": foreign.community_id, "households": 1},
    )
    assert response.status_code in {302, 403, 404}
    foreign.refresh_from_db()
    assert foreign.name != "改名"


def test_moving_an_own_row_into_another_community_is_refused(demo, staff_client):
    own = Compound.objects.filter(community__slug=SPK).first()
    foreign = _foreign_community()
    response = staff_client.post(
        f"/admin/places/compound/{own.pk}/change/",
        {"name": own.name, "kind": own.kind, "community": foreign.pk, "households": own.households or 0},
    )
    assert response.status_code in {200, 403}
    own.refresh_from_db()
    assert own.community.slug == SPK


def test_save_outside_the_jurisdiction_is_refused_even_past_the_form(demo, users):
    """The save itself asks the policy: a form that let a foreign row through would still be refused."""
    from django.core.exceptions import PermissionDenied

    foreign = _foreign_community()
    ma = admin.site._registry[Compound]
    request = _request(users.spk_staff)
    row = Compound(name="越权", kind="estate", community=foreign)
    with pytest.raises(PermissionDenied):
        ma.save_model(request, row, form=None, change=False)
    assert not Compound.objects.filter(name="越权").exists()


def test_staff_cannot_delete_outside_the_jurisdiction(demo, users):
    from django.core.exceptions import PermissionDenied

    ma = admin.site._registry[Compound]
    request = _request(users.spk_staff)
    foreign = Compound.objects.exclude(community__slug=SPK).first()
    assert not ma.has_delete_permission(request, foreign)
    with pytest.raises(PermissionDenied):
        ma.delete_queryset(request, Compound.objects.filter(pk=foreign.pk))
    assert Compound.objects.filter(pk=foreign.pk).exists()


def _membership_inline(request):
    from youlin.parties.admin import MembershipInline

    return MembershipInline(Person, admin.site)


def test_inline_rows_are_decided_by_the_policy_not_by_django_model_permissions(demo, users):
    """A community's staff see their people's roles but cannot grant or remove them, even if a deployment gave
    their account Django's model permissions; the district can."""
    from django.contrib.auth.models import Permission

    staff = users.spk_staff
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="parties"))
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    own = Person.objects.filter(community__slug=SPK).first()
    foreign = Person.objects.exclude(community__slug=SPK).first()
    inline = _membership_inline(_request(staff))
    request = _request(staff)
    assert staff.has_perm("parties.add_membership")  # Django alone would let them
    assert inline.has_view_permission(request, own)
    assert not inline.has_view_permission(request, foreign)
    for ask in (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission):
        assert not ask(request, own)
    district = _request(users.district)
    assert all(
        ask(district, own)
        for ask in (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission)
    )


def test_staff_cannot_remove_a_role_through_the_person_page(demo, staff_client):
    from youlin.parties.models import Membership

    member = Membership.objects.filter(person__community__slug=SPK).select_related("person").first()
    person = member.person
    before = Membership.objects.filter(person=person).count()
    page = staff_client.get(f"/admin/parties/person/{person.pk}/change/")
    assert page.status_code == 200
    rows = list(Membership.objects.filter(person=person).order_by("pk"))
    data = {
        "name": person.name,
        "community": person.community_id,
        "phone": person.phone,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        data[f"memberships-{i}-id"] = str(row.pk)
        data[f"memberships-{i}-person"] = str(person.pk)
        data[f"memberships-{i}-DELETE"] = "on"
    staff_client.post(f"/admin/parties/person/{person.pk}/change/", data)
    assert Membership.objects.filter(person=person).count() == before
