from django.core.management.base import BaseCommand

from youlin.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the three seed communities, the demo accounts, their stories and a year of history. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--no-history", action="store_true", help="Leave out the year of history.")

    def handle(self, *args, no_history=False, **options):
        import time

        started = time.monotonic()

        def say(message: str) -> None:
            self.stdout.write(f"  [{time.monotonic() - started:5.1f} s] {message}")
            self.stdout.flush()

        load_demo(with_history=not no_history, progress=say)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.0f} s."))
