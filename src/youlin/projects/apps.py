from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "youlin.projects"
    verbose_name = _("专项项目")

    def ready(self) -> None:
        from youlin.projects.rules import register_rules

        register_rules()
