import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from youlin.scheduling.periodic import discover, enqueue_due, start_scheduler


class Command(BaseCommand):
    help = "Run the background-task worker (django-tasks database backend) and enqueue periodic sweeps."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Enqueue the periodic sweeps that are due, run what is queued, exit."
        )
        parser.add_argument(
            "--tick", type=float, default=15.0, help="Seconds between looks at the periodic schedule (and heartbeats)."
        )

    def handle(self, *args, batch, tick, **options):
        periodic = discover()
        if batch:
            enqueue_due(periodic)
            call_command("db_worker", "--batch")
            return
        stop = threading.Event()
        start_scheduler(periodic, stop, tick_seconds=tick)
        try:
            call_command("db_worker")
        finally:
            stop.set()
