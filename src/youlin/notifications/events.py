"""The kinds of notification a person can choose how to receive (``NotificationPreference``). A caller of
``notify`` names one; anything else is "general"."""

from django.utils.translation import gettext_lazy as _

CASE_PROGRESS = "case_progress"
CASE_UPDATE = "case_update"
SUPERVISION = "supervision"
MEETING = "meeting"
PROJECT = "project"
AREA_ALERT = "area_alert"
GENERAL = "general"

EVENTS = {
    CASE_PROGRESS: _("关注案件的办理进展"),
    CASE_UPDATE: _("案件的进展留言"),
    SUPERVISION: _("超期与督办"),
    MEETING: _("议事会议、任务与公示"),
    PROJECT: _("专项项目"),
    AREA_ALERT: _("订阅的社区、网格动态"),
    GENERAL: _("其他通知"),
}
