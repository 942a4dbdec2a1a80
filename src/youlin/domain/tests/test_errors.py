"""One error base: every app's refusals derive from it, and the API, Open311 and the pages each translate it once;
the write helpers every app's services share."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation

from youlin.api.errors import to_api_error
from youlin.api.services import TokenError
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.dashboards.models import Bulletin
from youlin.dashboards.services import BulletinError
from youlin.deliberation.errors import DeliberationError
from youlin.domain.errors import DomainError
from youlin.domain.pages import show_error
from youlin.domain.writes import actor_label, actor_user, required_text, row_at_version, update_at_version
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.open311.views import _from_domain_error
from youlin.photos.services import PhotoError
from youlin.places.geo import GeometryError
from youlin.projects.errors import ProjectError
from youlin.volunteers.errors import VolunteerError


@pytest.mark.parametrize(
    "error",
    [
        CaseError("conflict", "x"),
        DeliberationError("tie", "x"),
        ProjectError("illegal_stage", "x"),
        LedgerError("unknown_place", "x"),
        VolunteerError("full", "x"),
        GeometryError("invalid_geometry", "x"),
        PhotoError("photo_type", "x"),
        TokenError("not_found", "x"),
        BulletinError("conflict", "x"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_apps_refusal_is_a_domain_error(error):
    assert isinstance(error, DomainError)
    assert (error.message, str(error)) == ("x", "x")


def test_projects_refuse_with_their_own_error_not_deliberations():
    assert not issubclass(ProjectError, DeliberationError)
    assert not issubclass(DeliberationError, ProjectError)


def test_the_shortcuts_take_the_apps_own_codes():
    invalid = LedgerError.invalid("请填写。", field="title")
    assert (type(invalid), invalid.code, invalid.field) == (LedgerError, LedgerErrorCode.INVALID_INPUT, "title")
    assert CaseError.denied("x").code is CaseErrorCode.PERMISSION_DENIED
    assert CaseError.conflict("x").code is CaseErrorCode.CONFLICT
    assert ProjectError.conflict("x").code == "conflict"
    assert repr(VolunteerError.invalid("满了")) == "VolunteerError(invalid_input, 满了)"


@pytest.mark.parametrize(
    ("error", "status", "code", "fields"),
    [
        (CaseError("illegal_transition", "m"), 409, "illegal_transition", {}),
        (CaseError("outside_jurisdiction", "m"), 404, "outside_jurisdiction", {}),
        (CaseError("outside_jurisdiction", "m", field="location"), 422, "outside_jurisdiction", {"location": "m"}),
        (CaseError("invalid_input", "m", field="description"), 422, "invalid_input", {"description": "m"}),
        (DeliberationError("no_voting_right", "m"), 403, "no_voting_right", {}),
        (DeliberationError("no_quorum", "m"), 409, "no_quorum", {}),
        (ProjectError("illegal_stage", "m"), 409, "illegal_stage", {}),
        (LedgerError("import_refused", "m"), 422, "import_refused", {}),
        (VolunteerError("full", "m"), 409, "full", {}),
        (TokenError("not_found", "m"), 404, "not_found", {}),
        (GeometryError("invalid_coordinates", "m"), 422, "invalid_input", {"location": "m"}),
        (GeometryError("outside_jurisdiction", "m"), 422, "outside_jurisdiction", {"location": "m"}),
        (DomainError("something_new", "m"), 422, "something_new", {}),
    ],
)
def test_the_api_answers_every_refusal_with_the_status_of_its_code(error, status, code, fields):
    answer = to_api_error(error)
    assert (answer.status, answer.code, str(answer.message), answer.fields) == (status, code, "m", fields)


def test_open311_answers_a_refusal_in_its_own_terms():
    bad = _from_domain_error(CaseError("invalid_input", "请描述问题。", field="description"))
    assert (bad.status, bad.description) == (400, "description: 请描述问题。")
    denied = _from_domain_error(LedgerError("permission_denied", "不可以。"))
    assert (denied.status, denied.description) == (403, "不可以。")


class TitleForm(forms.Form):
    title = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_page_shows_a_refusal_on_its_field_above_the_form_or_as_a_message():
    request = _request()
    form = TitleForm({"title": ""})
    form.is_valid()
    show_error(request, DeliberationError.invalid("请填写会议名称。", field="title"), form)
    show_error(request, DeliberationError.invalid("会议已结束。", field="not_on_this_form"), form)
    assert form.errors == {"title": ["请填写会议名称。"], "__all__": ["会议已结束。"]}
    show_error(request, ProjectError.denied("只有社区工作人员可以办理此事项。"))
    assert [str(m) for m in get_messages(request)] == ["只有社区工作人员可以办理此事项。"]


def test_required_text_refuses_empty_and_overlong_text_with_the_apps_error():
    assert required_text("  甲楼  ", "请填写。", field="place", error=LedgerError) == "甲楼"
    with pytest.raises(LedgerError) as caught:
        required_text("   ", "请填写。", field="place", error=LedgerError)
    assert (caught.value.code, caught.value.field, caught.value.message) == ("invalid_input", "place", "请填写。")
    with translation.override("en"), pytest.raises(ProjectError) as caught:
        required_text("ab", "x", field="title", error=ProjectError, max_length=1)
    assert str(caught.value.message) == "Too long: 1 character at most."


def test_the_actor_as_stored_and_as_labelled(django_user_model):
    user = django_user_model(username="someone")
    assert actor_user(user) is user
    assert actor_user(AnonymousUser()) is None and actor_user(None) is None
    assert actor_label(user) == "someone"
    assert actor_label(AnonymousUser(), "张先生") == "张先生"


@pytest.mark.django_db
def test_compare_and_swap_on_the_version():
    # A bare row: the helpers are about any model with a ``version``; a bulletin is the smallest such model.
    bulletin = Bulletin.objects.create(title="五月", start_day=date(2026, 5, 1), end_day=date(2026, 5, 31))

    def conflict():
        return BulletinError("conflict", "刚刚被其他人修改过。")

    current = row_at_version(Bulletin.objects.all(), pk=bulletin.pk, expected_version=1, conflict=conflict)
    assert current.pk == bulletin.pk
    update_at_version(Bulletin, pk=bulletin.pk, expected_version=1, conflict=conflict, title="五月（定稿）")
    bulletin.refresh_from_db()
    assert (bulletin.version, bulletin.title) == (2, "五月（定稿）")
    with pytest.raises(BulletinError) as caught:
        update_at_version(Bulletin, pk=bulletin.pk, expected_version=1, conflict=conflict, title="lost")
    assert caught.value.code == "conflict"
    with pytest.raises(BulletinError):
        row_at_version(Bulletin.objects.all(), pk=bulletin.pk, expected_version=1, conflict=conflict)
    with pytest.raises(LedgerError) as caught:
        row_at_version(
            Bulletin.objects.all(),
            pk=bulletin.pk + 1,
            expected_version=1,
            conflict=conflict,
            missing=lambda: LedgerError.invalid("不存在。"),
        )
    assert caught.value.code == "invalid_input"
    bulletin.refresh_from_db()
    assert bulletin.title == "五月（定稿）"
