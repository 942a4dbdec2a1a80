"""``youlin restore DIR [--force]``: put a backup made by ``youlin backup`` back (``youlin.backup.archive``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youlin.backup.archive import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database and the uploaded files from a backup folder. Refuses a damaged backup, one from a "
        "newer version, and a database that already holds data (unless --force)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, metavar="DIR")
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")

    def handle(self, *args, folder: Path, force: bool, **options):
        try:
            summary = restore(folder, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored {summary.rows} rows in {summary.tables} tables and {summary.files} files from {folder}."
            + (" The schema was migrated forward to this version." if summary.migrated else "")
        )
