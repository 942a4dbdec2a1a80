"""The ``youlin`` console script: Django's manage.py for this project.

``youlin demo`` turns on demo mode before settings load, so the documented demo accounts can log in (not debug
pages: a demo is reachable by others, and Django's technical pages list every URL); every other command runs with
the environment as given.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youlin.settings")
    if len(argv) > 1 and argv[1] == "demo":
        os.environ.setdefault("YOULIN_DEMO", "1")
        # One process, no worker beside it: background tasks (large imports, e-mail copies) run at once.
        os.environ.setdefault("YOULIN_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
