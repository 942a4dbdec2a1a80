from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """The ``worker`` command, the periodic schedule and the workers' shared bookkeeping (claims, heartbeats)."""

    name = "youlin.scheduling"
