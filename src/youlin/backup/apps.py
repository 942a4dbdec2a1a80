from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "youlin.backup"
    verbose_name = "Backup"
