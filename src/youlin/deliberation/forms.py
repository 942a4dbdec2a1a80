"""Forms of the meeting pages. Invitations are read from ``org-<id>`` / ``person-<id>`` fields whose value is
"" (not invited), "invite" (attends) or "vote" (attends with a voting right)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from youlin.deliberation.models import MeetingKind, NoticeResponse, Resolution, Vote

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def text(label, *, required=True, max_length=200, rows=None, **attrs):
    widget = (
        forms.Textarea(attrs={"rows": rows, "class": "form-control", **attrs})
        if rows
        else forms.TextInput(attrs={"class": "form-control", **attrs})
    )
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


class MeetingForm(forms.Form):
    title = text(_("会议名称"), max_length=120, required=False)
    kind = forms.ChoiceField(
        label=_("会议类型"), choices=MeetingKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    starts_at = forms.DateTimeField(label=_("会议时间"), input_formats=["%Y-%m-%dT%H:%M"], widget=DATETIME_LOCAL)
    place = text(_("会议地点"), max_length=120)
    quorum_percent = forms.IntegerField(
        label=_("法定人数（%）"),
        min_value=1,
        max_value=100,
        initial=50,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    pass_percent = forms.IntegerField(
        label=_("通过比例（%）"),
        min_value=0,
        max_value=99,
        initial=50,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    extra_cases = text(_("一并议事的其他案件编号"), required=False, placeholder=_("多个编号用空格分隔"))


class AgendaItemForm(forms.Form):
    title = text(_("议题"), max_length=160)
    description = text(_("说明"), required=False, max_length=4000, rows=2)
    cases = text(_("相关案件编号"), required=False, placeholder=_("多个编号用空格分隔"))


class ProposalForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    title = text(_("方案"), max_length=160)
    description = text(_("内容"), required=False, max_length=4000, rows=2)
    proposed_by_label = text(_("提出人"), required=False, max_length=100)


class VoteForm(forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=Vote.Choice.choices)
    party = forms.CharField(required=False, max_length=24)  # "org-<id>" or "person-<id>"; empty: the actor


class DecisionForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(choices=Resolution.Method.choices)
    proposal = forms.IntegerField(required=False)
    text = text(_("补充说明（可选）"), required=False, max_length=4000, rows=2)


class ActionItemForm(forms.Form):
    resolution = forms.IntegerField(widget=forms.HiddenInput)
    title = text(_("任务"), max_length=200)
    assignee = forms.CharField(label=_("负责"), max_length=20)  # "org-<id>" or "person-<id>"
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)
    case = forms.CharField(label=_("相关案件"), required=False, max_length=24)


class MaterialForm(forms.Form):
    title = text(_("材料名称"), required=False, max_length=120)
    upload = forms.FileField(label=_("照片或文件"))


class CloseForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = text(_("会议纪要"), max_length=20000, rows=5)


class PublishForm(forms.Form):
    days = forms.IntegerField(
        label=_("公示天数"),
        min_value=1,
        max_value=60,
        initial=7,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    review_on = forms.DateField(label=_("复核日期"), required=False, widget=DATE)


class InviteForm(forms.Form):
    invitee = forms.CharField(max_length=20)  # "org-<id>" or "person-<id>"
    can_vote = forms.BooleanField(required=False)
    label = forms.CharField(required=False, max_length=40)


class SignInForm(forms.Form):
    person = forms.IntegerField(required=False)
    organisation = forms.IntegerField(required=False)  # the invited organisation the person represents
    name = forms.CharField(required=False, max_length=64)  # a representative named on the spot
    authorisation = forms.CharField(required=False, max_length=200)  # a proxy's written authorisation


class CompleteForm(forms.Form):
    note = text(_("完成情况"), max_length=2000, rows=2)


class RespondForm(forms.Form):
    stance = forms.ChoiceField(label=_("意见"), choices=NoticeResponse.Stance.choices, widget=forms.RadioSelect)
    comment = text(_("说明"), required=False, max_length=2000, rows=2)
