import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from youlin.scheduling.periodic import discover, enqueue_due, start_scheduler


class Command(BaseCommand):
    help = "Run the background-task worker (django-tasks database backend) and enqueue periodic sweeps."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Enqueue periodic sweeps once, run what is queued, exit."
        )

    def handle(self, *args, batch, **options):
        periodic = discover()
        if batch:
            enqueue_due(periodic, {}, 0.0)
            call_command("db_worker", "--batch")
            return
        stop = threading.Event()
        start_scheduler(periodic, stop)
        try:
            call_command("db_worker")
        finally:
            stop.set()
