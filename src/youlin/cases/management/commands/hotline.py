"""``youlin hotline import FILE [--community SLUG]``: import a 12345 work-order file (the same job as the page
and the API, run here to the end); exit 0 with the counts, non-zero with the per-row report when the file is
refused. ``youlin hotline load DIR [--processes N]``: years of history, one file per community, at bulk speed
(``cases.imports.load``; ``--finish`` completes an interrupted load). ``youlin hotline export --month YYYY-MM [--unit U] [--community SLUG] -o FILE``: the replies (.xlsx)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from youlin.cases.imports import load
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
        bulk = sub.add_parser(
            "load",
            help="load history at bulk speed: DIR holds one file per community, named <community slug>.csv; "
            "PostgreSQL drops and rebuilds the secondary indexes and foreign keys (a database not yet live or in a "
            "maintenance window)",
        )
        bulk.add_argument("directory", type=Path, nargs="?")
        bulk.add_argument("--processes", type=int, default=2, help="files imported at once (default 2)")
        bulk.add_argument("--finish", action="store_true", help="complete an interrupted load (indexes, keys)")
        exp = sub.add_parser("export", help="the replies of the work orders closed in a month, as .xlsx")
        exp.add_argument("--month", required=True, help="YYYY-MM")
        exp.add_argument("--unit", default="", help="only this handling unit (承办单位)")
        exp.add_argument("--community", default="", help="only this community (its slug)")
        exp.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, **options):
        if options["action"] == "import":
            return self._import(options)
        if options["action"] == "load":
            return self._load(options)
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

    def _phase(self, name: str, seconds: float) -> None:
        self.stdout.write(gettext("阶段 %(phase)s：%(s).1f 秒") % {"phase": name, "s": seconds})

    def _file_loaded(self, done: load.FileLoaded) -> None:
        if done.error:
            self.stderr.write(
                gettext("%(community)s：未导入。%(error)s") % {"community": done.community, "error": done.error}
            )
            return
        self.stdout.write(
            gettext("%(community)s：新增 %(n)d 件，更新 %(u)d 件，未变 %(k)d 件，%(s).1f 秒（每秒 %(rate).0f 件）")
            % {
                "community": done.community,
                "n": done.orders,
                "u": done.updated,
                "k": done.unchanged,
                "s": done.seconds,
                "rate": done.orders / done.seconds if done.seconds else 0,
            }
        )

    def _load(self, options):
        try:
            if options["finish"]:
                if not load.unfinished():
                    self.stdout.write(gettext("没有未完成的批量导入。"))
                    return None
                load.finish(progress=self._phase)
                self.stdout.write(gettext("已恢复索引和外键。"))
                return None
            if options["directory"] is None:
                raise CommandError(gettext("请给出工单文件所在的目录，或用 --finish 完成上一次导入。"))
            if options["processes"] < 1:
                raise CommandError(gettext("--processes 至少为 1。"))
            result = load.load_files(
                options["directory"], processes=options["processes"], report=self._file_loaded, phase=self._phase
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        except BaseException:
            if load.unfinished():
                self.stderr.write(gettext("批量导入中断，索引和外键尚未恢复：请运行 youlin hotline load --finish。"))
            raise
        phases = "，".join(f"{name} {seconds:.1f}" for name, seconds in result.phases.items())
        self.stdout.write(
            gettext("共 %(files)d 个文件，新增 %(n)d 件，%(s).1f 秒，每秒 %(rate).0f 件（各阶段秒数：%(phases)s）")
            % {
                "files": len(result.files),
                "n": result.orders,
                "s": result.seconds,
                "rate": result.orders / result.seconds if result.seconds else 0,
                "phases": phases,
            }
        )
        if result.failed:
            raise CommandError(
                gettext("%(n)d 个文件未导入：%(names)s。修正后可用 youlin hotline import 单独导入。")
                % {"n": len(result.failed), "names": "、".join(f.community for f in result.failed)}
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
