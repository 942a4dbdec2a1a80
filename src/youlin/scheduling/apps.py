from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Only the ``worker`` command and the periodic schedule; no models."""

    name = "youlin.scheduling"
