"""Worker processes that run Django code (``youlin hotline load``'s). They are spawned, not forked: a process
with threads (a server, a test run with a live server) cannot be forked safely, so each worker starts a fresh
interpreter and sets Django up with its parent's settings module and database (the test database in a test run).
Nothing here imports Django at import time: the worker imports this module before Django is set up."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def _start(settings_module: str, database: dict) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django
    from django.conf import settings

    settings.DATABASES["default"] = database
    django.setup()


def pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, each with Django set up on this process's database."""
    from django.conf import settings
    from django.db import connection

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(settings.SETTINGS_MODULE, dict(connection.settings_dict)),
    )
