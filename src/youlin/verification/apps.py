from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "youlin.verification"
    verbose_name = _("手机验证")

    def ready(self) -> None:
        from youlin.verification.rules import register_rules

        register_rules()
