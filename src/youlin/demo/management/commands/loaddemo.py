from django.core.management.base import BaseCommand

from youlin.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the three seed communities and the demo accounts. Idempotent."

    def handle(self, *args, **options):
        load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
