"""``youlin backup DIR``: the database and the uploaded files, with a manifest (``youlin.backup.archive``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youlin.backup.archive import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into DIR (a new or empty folder), with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, metavar="DIR")

    def handle(self, *args, folder: Path, **options):
        try:
            summary = backup(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up {summary.rows} rows in {summary.tables} tables and {summary.files} files "
            f"({summary.bytes / 1e6:.1f} MB) into {folder}."
        )
