from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "youlin.ledgers"
    verbose_name = _("台账")

    def ready(self) -> None:
        from youlin.jobs import kinds
        from youlin.ledgers.rules import register_rules

        register_rules()
        kinds.register("ledger_import", "youlin.ledgers.imports.LEDGER_IMPORT")
