"""Forms of the ledger pages: list filters, entry and step forms, the upload, visits, inspections, zone logs."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from youlin.cases.forms import MultiplePhotoField
from youlin.ledgers.models import EntryStatus, MeasureClass, ZoneLog


class EntryFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", _("全部状态")), *EntryStatus.choices, ("overdue", _("已超期"))],
    )
    campaign = forms.IntegerField(required=False)
    compound = forms.IntegerField(required=False)
    responsible_party = forms.IntegerField(required=False)
    category = forms.IntegerField(required=False)
    measure_class = forms.ChoiceField(required=False, choices=[("", _("全部措施")), *MeasureClass.choices])
    q = forms.CharField(required=False, max_length=100)
    after = forms.IntegerField(required=False, min_value=1)


class EntryForm(forms.Form):
    location_text = forms.CharField(
        label=_("问题位置"), max_length=200, help_text=_("小区/院落名称，可加楼栋，如“月坛北小街1号院1号楼”")
    )
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.IntegerField(label=_("问题类别"), required=False)
    root_cause = forms.CharField(label=_("调查源头"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    measure_class = forms.ChoiceField(label=_("分类施策"), required=False, choices=[("", "—"), *MeasureClass.choices])
    measure = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible_party = forms.IntegerField(label=_("责任单位"), required=False)
    deadline = forms.DateField(label=_("整改时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    campaign = forms.IntegerField(label=_("阶段性工作重点"), required=False)
    photos = MultiplePhotoField(label=_("整改前照片"))


class StepForm(forms.Form):
    result = forms.CharField(label=_("整改结果"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    photos = MultiplePhotoField(label=_("整改后照片"))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("台账文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class CampaignForm(forms.Form):
    community = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("名称"), max_length=80)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_count = forms.IntegerField(label=_("目标数（处）"), min_value=0, initial=0)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class VisitForm(forms.Form):
    building = forms.IntegerField(label=_("楼栋"))
    entrance = forms.IntegerField(label=_("单元"), required=False)
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    households_reached = forms.IntegerField(label=_("走访户数"), min_value=0)
    note = forms.CharField(label=_("走访情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    findings = forms.CharField(
        label=_("发现问题（每行一条）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingCaseForm(forms.Form):
    category = forms.IntegerField(label=_("问题类别"))


class FindingEntryForm(forms.Form):
    ledger = forms.IntegerField(label=_("转入台账"))


class InspectForm(forms.Form):
    sanitation_ok = forms.BooleanField(label=_("卫生达标"), required=False, initial=True)
    order_ok = forms.BooleanField(label=_("秩序达标"), required=False, initial=True)
    greening_ok = forms.BooleanField(label=_("绿化达标"), required=False, initial=True)
    note = forms.CharField(label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultiplePhotoField(label=_("现场照片"))


class ZoneLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ZoneLog.Kind.choices)
    note = forms.CharField(label=_("情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultiplePhotoField(label=_("照片"))
