"""``youlin hotline import FILE [--community SLUG]``: import a 12345 work-order file (the same job as the page
and the API, run here to the end); exit 0 with the counts, non-zero with the per-row report when the file is
refused. ``youlin hotline export --month YYYY-MM [--unit U] [--community SLUG] -o FILE``: the replies (.xlsx)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from youlin.cases.imports.jobs import hotline_import_start
from youlin.cases.imports.replies import hotline_replies_export
from youlin.domain.errors import DomainError
from youlin.jobs.models import Job
from youlin.places.models import Community


class Command(BaseCommand):
    help = "12345 hotline work orders: import a file (派单), export the replies (回复)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a work-order file (.xlsx or .csv), all rows or none")
        imp.add_argument("file", type=Path)
        imp.add_argument("--community", default="", help="the community's slug (else the only one there is)")
        imp.add_argument("--user", default="", help="act as this user (their jurisdiction applies)")
        exp = sub.add_parser("export", help="the replies of the work orders closed in a month, as .xlsx")
        exp.add_argument("--month", required=True, help="YYYY-MM")
        exp.add_argument("--unit", default="", help="only this handling unit (承办单位)")
        exp.add_argument("--community", default="", help="only this community (its slug)")
        exp.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, **options):
        if options["action"] == "import":
            return self._import(options)
        return self._export(options)

    @staticmethod
    def _user(username: str):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def _import(self, options):
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            job = hotline_import_start(
                actor=self._user(options["user"]),
                community=options["community"] or None,
                filename=path.name,
                content=content,
                background=False,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        if job.status != Job.Status.SUCCEEDED:
            for e in job.errors:
                self.stderr.write(f"row {e['row']}\t{e['column'] or '-'}\t{e['reason']}")
            raise CommandError(job.message or job.status)
        result = job.result or {}
        self.stdout.write(
            f"new {job.created_count}\tupdated {job.updated_count}\tunchanged {job.unchanged_count}\t"
            f"dispatched {result.get('dispatched', 0)}\ttriage {result.get('triage', 0)}"
        )
        return None

    def _export(self, options):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", options["month"]):
            raise CommandError("--month must be YYYY-MM")
        community = None
        if options["community"]:
            community = Community.objects.filter(slug=options["community"]).first()
            if community is None:
                raise CommandError(f"no community {options['community']!r}")
        month = date.fromisoformat(options["month"] + "-01")
        content = hotline_replies_export(None, month=month, unit=options["unit"], community=community)
        options["output"].write_bytes(content)
        self.stdout.write(f"wrote {options['output']}")
        return None
