from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po catalogues to .mo in pure Python (no system gettext needed at set-up)."

    def handle(self, *args, **options):
        count = 0
        # The project catalogue (LOCALE_PATHS) and each app's own ``<app>/locale``, which Django also reads.
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        roots += [Path(app.path) / "locale" for app in apps.get_app_configs() if app.name.startswith("youlin.")]
        for root in roots:
            for po_path in root.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
