import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from youlin.cases.models import AppendOnlyError, CaseEvent, Category, RoutingRule
from youlin.cases.tests import factories as f

pytestmark = pytest.mark.django_db


def test_timeline_events_are_append_only(users, clock):
    case = f.register(users.spk_grid)
    event = case.events.first()
    event.note = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(case=case).update(note="x")
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""
    assert case.events.count() == 2


def test_a_case_with_a_timeline_cannot_be_deleted(users, clock):
    case = f.register(users.spk_grid)
    with pytest.raises(ProtectedError) as err, transaction.atomic():
        case.delete()
    assert {type(row).__name__ for row in err.value.protected_objects} >= {"CaseEvent"}


def test_category_constraints():
    # SQLite names the columns of a broken unique constraint, PostgreSQL the constraint; both name a check.
    duplicate = r"category_unique_kind_code|cases_category\.kind, cases_category\.code"
    with pytest.raises(IntegrityError, match=duplicate), transaction.atomic():
        Category.objects.create(code="06013", kind="matter", major_code="06", major="市容环境类", name="重复")
    with pytest.raises(IntegrityError, match="category_code_5_digits"), transaction.atomic():
        Category.objects.create(code="6013", kind="matter", major_code="06", major="市容环境类", name="四位")


def test_routing_rule_names_a_category_or_a_major_not_both():
    with pytest.raises(IntegrityError, match="routing_rule_category_or_major"), transaction.atomic():
        RoutingRule.objects.create(
            category=Category.objects.get(kind="matter", code="06013"), category_major="06", duty="owner_unit"
        )


def test_admin_lists_only_the_staff_members_community(users, clock, client):
    ours = f.register(users.spk_grid)
    fwd_point = f.centre(f.Compound.objects.get(name="月坛北小街5号院").geometry)
    theirs = f.register(users.fwd_staff, point=fwd_point)
    client.force_login(users.spk_staff)
    page = client.get("/admin/cases/case/")
    assert page.status_code == 200
    assert ours.number in page.content.decode() and theirs.number not in page.content.decode()
    assert client.get(f"/admin/cases/case/{theirs.pk}/change/").status_code in {302, 403, 404}
