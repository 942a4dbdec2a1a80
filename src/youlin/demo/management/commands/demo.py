import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the demo data and serve the site (demo mode: the README's demo accounts work)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-serve", action="store_true", help="Prepare everything, then exit.")

    def handle(self, *args, host, port, no_serve, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("loaddemo")
        if no_serve:
            return
        self.stdout.write(f"youlin demo on http://{host}:{port}/  (accounts: see README; password youlin-demo)")
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
