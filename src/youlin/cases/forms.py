"""Forms of the case pages: intake (grid worker, resident), list filters and the step forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from youlin.cases.models import Channel, Satisfaction, Status
from youlin.places.geo import CRS_CHOICES

MAX_PHOTOS = 9


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; checked by content later, in the service (not by name here)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("每次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, code="too_many")
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class IntakeForm(forms.Form):
    category = forms.IntegerField(label=_("问题类别"), error_messages={"required": _("请选择问题类别。")})
    description = forms.CharField(
        label=_("问题描述"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请描述问题：什么问题、在哪里、影响了谁。")},
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    crs = forms.ChoiceField(choices=[(c, c) for c in CRS_CHOICES], required=False, widget=forms.HiddenInput)
    building = forms.IntegerField(required=False, label=_("或选择楼栋"))
    address = forms.CharField(label=_("位置补充说明"), max_length=200, required=False)
    photos = MultiplePhotoField(label=_("现场照片"))

    def clean(self):
        data = super().clean()
        no_point = data.get("lon") is None or data.get("lat") is None
        if data.get("building") is None and no_point and not data.get("photos"):
            raise forms.ValidationError(
                _("请确定问题位置：使用当前定位、在地图上点选，或选择楼栋。"), code="no_location"
            )
        return data


class PatrolIntakeForm(IntakeForm):
    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[(Channel.PATROL, Channel.PATROL.label), (Channel.DOOR_TO_DOOR, Channel.DOOR_TO_DOOR.label)],
        initial=Channel.PATROL,
    )


class StaffIntakeForm(IntakeForm):
    """Community staff also register hotline transfers (12345 work orders) and problems raised in meetings."""

    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.API],
        initial=Channel.PATROL,
    )
    hotline_number = forms.CharField(label=_("12345 工单编号"), max_length=40, required=False)
    hotline_received_at = forms.DateTimeField(
        label=_("热线受理时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    hotline_unit = forms.CharField(label=_("承办单位"), max_length=100, required=False)
    reporter_name = forms.CharField(label=_("来电人/反映人"), max_length=64, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.HOTLINE and not data.get("hotline_number"):
            self.add_error("hotline_number", _("热线工单请填写工单编号。"))
        return data


class ResidentIntakeForm(IntakeForm):
    reporter_name = forms.CharField(label=_("称呼（选填）"), max_length=64, required=False)
    reporter_phone = forms.RegexField(
        label=_("联系电话"),
        regex=r"^[0-9+\- ]{5,20}$",
        max_length=20,
        error_messages={"required": _("请留下联系电话，便于回访。"), "invalid": _("请填写有效的电话号码。")},
    )


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), ("open", _("未结案"))] + list(Status.choices)
    )
    category = forms.IntegerField(required=False)
    grid = forms.IntegerField(required=False)
    compound = forms.IntegerField(required=False)
    organisation = forms.IntegerField(required=False)
    community = forms.IntegerField(required=False)
    channel = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部来源")), *Channel.choices])
    overdue = forms.BooleanField(label=_("已超期"), required=False)
    recurrence = forms.BooleanField(label=_("反弹"), required=False)
    deliberation = forms.BooleanField(label=_("需议事协商"), required=False)
    triage = forms.BooleanField(label=_("待分拣"), required=False)
    q = forms.CharField(label=_("编号或描述"), required=False, max_length=50)
    after = forms.CharField(required=False)


class NoteForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写理由。")},
    )


class PhotoNoteForm(NoteForm):
    photos = MultiplePhotoField(label=_("处置后照片"))


class VerifyForm(PhotoNoteForm):
    passed = forms.TypedChoiceField(
        label=_("核查结果"),
        coerce=lambda v: v == "1",
        choices=[("1", _("通过：问题已解决")), ("0", _("不通过：退回返工"))],
    )


YES_NO = [("1", _("是")), ("0", _("否"))]


def _yes_no(label, *, required=True):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "1",
        empty_value=None,
        widget=forms.RadioSelect,
        required=required,
    )


class EvaluateForm(forms.Form):
    """The reporter's own answers to the three 12345 questions."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    responded = _yes_no(_("是否有人联系过您？"))
    resolved = _yes_no(_("您反映的问题是否已解决？"))
    satisfaction = forms.ChoiceField(label=_("您对处理结果"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("意见（选填）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    """Staff call the reporter back (回访): reached or not, and if reached, the three answers."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("回访方式"), choices=[("phone", _("电话回访")), ("onsite", _("上门回访"))], initial="phone"
    )
    reached = forms.TypedChoiceField(
        label=_("是否接通"),
        choices=[("1", _("已接通")), ("0", _("未接通"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    responded = _yes_no(_("是否联系（办理单位是否联系过诉求人）"), required=False)
    resolved = _yes_no(_("是否解决"), required=False)
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(
        label=_("回访记录"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("reached"):
            for name in ("responded", "resolved", "satisfaction"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("已接通的回访请回答这一项。"))
        else:
            data.update(responded=None, resolved=None, satisfaction="")
        return data


class ExtensionRequestForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    working_days = forms.IntegerField(label=_("延期工作日数"), min_value=1, max_value=60, required=False)
    requested_deadline = forms.DateTimeField(
        label=_("或延期至"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("working_days") is None and data.get("requested_deadline") is None:
            self.add_error("working_days", _("请填写延期的工作日数，或延期到的日期。"))
        return data


class ExtensionDecideForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("审批"), coerce=lambda v: v == "1", choices=[("1", _("批准")), ("0", _("驳回"))]
    )
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


class RerouteForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    organisations = forms.TypedMultipleChoiceField(label=_("责任单位"), choices=(), coerce=int)
    reason = forms.CharField(
        label=_("调整理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写调整理由。")},
    )

    def __init__(self, *args, organisation_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = organisation_choices


class CorrectForm(forms.Form):
    """更正: the right category and/or the right place (a building of the community) of a registered case."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("更正类别"), required=False, choices=())
    building = forms.TypedChoiceField(
        label=_("更正位置（楼栋）"), required=False, choices=(), coerce=int, empty_value=None
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("更正理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写更正理由。")},
    )

    def __init__(self, *args, category_choices=(), building_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("（不更改）")), *category_choices]
        self.fields["building"].choices = [("", _("（不更改）")), *building_choices]


class MergeForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    survivor = forms.CharField(label=_("并入案件编号"), max_length=24)
    reason = forms.CharField(label=_("说明"), max_length=2000, required=False)


class MeasuresForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(
        label=_("分组"),
        required=False,
        choices=[
            ("community", _("社区")),
            ("grid", _("网格")),
            ("organisation", _("责任单位")),
            ("category_major", _("类别大类")),
        ],
    )


class HotlineUploadForm(forms.Form):
    """A 12345 work-order file (派单) and the community it is for (when the staff member manages several)."""

    file = forms.FileField(
        label=_("工单文件（.xlsx 或 .csv）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"})
    )
    community = forms.ChoiceField(label=_("社区"), required=False, choices=())

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("请选择社区"))] + [(c.slug, c.name) for c in communities]


class HotlineRepliesForm(forms.Form):
    """Which replies go back to the hotline system: a month, and optionally a handling unit and a community."""

    month = forms.RegexField(
        label=_("月份"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("月份格式应为 2026-11。")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    unit = forms.CharField(label=_("承办单位"), required=False, max_length=100)
    community = forms.ChoiceField(label=_("社区"), required=False, choices=())

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("全部社区"))] + [(c.slug, c.name) for c in communities]
