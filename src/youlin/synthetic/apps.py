from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Only the ``generate`` command; no models."""

    name = "youlin.synthetic"
