"""Read replicas (``YOULIN_DATABASE_REPLICA_URLS``): which reads may go to one.

Only views marked ``@replica_reads`` (dashboards, public pages: a few seconds of lag does no harm there) read
from a replica; everything else, every write, and every read inside a transaction stays on the primary, so a
page shown after a change always shows that change.
"""

from __future__ import annotations

import contextvars
import functools
import random

from django.conf import settings
from django.db import transaction

_replica_reads = contextvars.ContextVar("youlin_replica_reads", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def replica_reads(view):
    """Mark a view whose reads may be served by a replica (no read-after-write on that page)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        # Who is asking is read from the primary: a session written a moment ago may not be on a replica yet.
        getattr(getattr(request, "user", None), "is_authenticated", None)
        token = _replica_reads.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _replica_reads.reset(token)

    return wrapper


class ReplicaRouter:
    """Reads in a ``@replica_reads`` view go to a random replica; all else to ``default``."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get():
            return "default"
        aliases = replica_aliases()
        if not aliases or transaction.get_connection("default").in_atomic_block:
            return "default"
        return random.choice(aliases)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
