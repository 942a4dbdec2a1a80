from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only the ``demo`` and ``loaddemo`` commands; no models."""

    name = "youlin.demo"
