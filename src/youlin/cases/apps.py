from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "youlin.cases"
    verbose_name = _("诉求案件")

    def ready(self) -> None:
        from youlin.cases import routing_cache
        from youlin.cases.rules import register_rules
        from youlin.jobs import kinds

        register_rules()
        routing_cache.connect()
        kinds.register("hotline_import", "youlin.cases.imports.jobs.HOTLINE_IMPORT")
