"""Forms of the volunteer pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ActivityForm(forms.Form):
    community = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("活动名称"), max_length=120)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("活动地点"), max_length=200)
    capacity = forms.IntegerField(label=_("名额"), min_value=1)
    team = forms.IntegerField(label=_("志愿服务队"), required=False)
    partner_unit = forms.IntegerField(label=_("共建单位"), required=False)
    description = forms.CharField(label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SignUpOtherForm(forms.Form):
    person = forms.IntegerField(label=_("志愿者"))
