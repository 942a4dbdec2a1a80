import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_WORKER_CLASS = "sync"
DEFAULT_THREADS = "1"


class Command(BaseCommand):
    help = "Serve in production with gunicorn. Refuses to start with debug on or without YOULIN_SECRET_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("YOULIN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("YOULIN_WORKERS", "2")))
        # The worker model measured fastest by the benchmarks (bench/RESULTS.md: server_workers).
        parser.add_argument(
            "--worker-class",
            choices=["sync", "gthread"],
            default=os.environ.get("YOULIN_WORKER_CLASS", DEFAULT_WORKER_CLASS),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("YOULIN_THREADS", DEFAULT_THREADS)))

    def handle(self, *args, bind, workers, worker_class, threads, **options):
        if settings.DEBUG:
            raise CommandError("YOULIN_DEBUG is on: refusing to serve in production. Unset it.")
        if not settings.SECRET_KEY_FROM_ENV:
            raise CommandError("YOULIN_SECRET_KEY is not set: refusing to serve in production.")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "youlin.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads if worker_class == "gthread" else 1),
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn, fixed argv
