"""`weijian data import FILE [--partial] [--user USERNAME] [--background] [--quiet]`,
`weijian data jobs` (recent imports, marking those whose process died as interrupted) and
`weijian data export [--format csv|dhis2-json|dhis2-csv] [--period P] [--org CODE] [-o FILE]`:
thin wrappers over data.imports and data.exports.

An import runs in this process with a progress line on stderr (the file is streamed, never
held whole); `--background` queues it for the worker (`weijian db_worker`) instead."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from weijian.data import exports, periods
from weijian.data.imports import import_file, recover_interrupted
from weijian.data.models import DataValue, ImportJob
from weijian.data.tasks import start_import
from weijian.orgs.models import OrgUnit

EXPORTERS = {
    "csv": exports.export_csv,
    "dhis2-json": exports.export_dhis2_json,
    "dhis2-csv": exports.export_dhis2_csv,
}


class Command(BaseCommand):
    help = "导入或导出数据值（CSV、Excel 模板、DHIS2 JSON/CSV）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        imp = sub.add_parser(
            "import", help="导入一个数据文件", called_from_command_line=parser.called_from_command_line
        )
        imp.add_argument("file", help="CSV、.xlsx 或 DHIS2 .json/.csv 文件")
        imp.add_argument("--partial", action="store_true", help="只导入通过校验的行，列出其余各行的错误")
        imp.add_argument("--user", help="以该用户的名义导入（按其填报范围检查）；不指定则不限范围")
        imp.add_argument(
            "--background", action="store_true", help="交给后台任务导入（需运行 weijian db_worker）"
        )
        imp.add_argument("--quiet", action="store_true", help="不显示进度")
        sub.add_parser(
            "jobs", help="最近的导入记录及其状态", called_from_command_line=parser.called_from_command_line
        )
        exp = sub.add_parser(
            "export", help="导出数据值", called_from_command_line=parser.called_from_command_line
        )
        exp.add_argument("--format", choices=sorted(EXPORTERS), default="csv")
        exp.add_argument("--period", help="只导出该期间内的数据，如 2024、2024Q1、202401")
        exp.add_argument("--org", help="只导出该机构及其下级的数据（机构编码）")
        exp.add_argument("-o", "--output", help="输出文件；不指定则写到标准输出")

    def handle(self, *args, **options):
        if options["action"] == "import":
            return self._import(options)
        if options["action"] == "jobs":
            return self._jobs()
        return self._export(options)

    def _import(self, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件“{path}”")
        user = None
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户“{options['user']}”不存在")
        recover_interrupted()
        system = user is None
        if options["background"]:
            with path.open("rb") as stream:
                job = start_import(stream, path.name, user, partial=options["partial"], system=system)
            self.stdout.write(f"已排队：导入记录 {job.pk}（用 weijian data jobs 查看进度）")
            return
        progress = None if options["quiet"] else self._progress
        result = import_file(
            path, path.name, user, partial=options["partial"], system=system, progress=progress
        )
        if progress:
            self.stderr.write("")
        out = self.stdout if result.ok else self.stderr
        out.write(result.message)
        for problem in result.errors:
            out.write(f"  {problem}")
        if result.ok is False:
            sys.exit(1)

    def _progress(self, job) -> None:
        stages = {
            "reading": f"读取 {job.rows_read:,} 行",
            "checking": f"校验 {job.rows_checked:,}/{job.rows_total:,} 行",
        }
        text = stages.get(job.stage, "写入数据库" if job.stage == "writing" else "")
        bar = "#" * (job.progress // 5)
        self.stderr.write(f"\r[{bar:<20}] {job.progress:3d}% {text}    ", ending="")
        self.stderr.flush()

    def _jobs(self) -> None:
        recover_interrupted()
        for job in ImportJob.objects.select_related("user").order_by("-at")[:20]:
            who = job.user.username if job.user else "-"
            self.stdout.write(
                f"{job.pk:>6}  {job.at:%Y-%m-%d %H:%M}  {job.get_status_display():<5} {job.progress:3d}%  "
                f"{job.rows_applied:>9,}/{job.rows_total:<9,} {who:<10} {job.file_name}"
            )

    def _export(self, options) -> None:
        values = DataValue.objects.all()
        if options.get("period"):
            try:
                p = periods.parse(options["period"])
            except periods.PeriodError as exc:
                raise CommandError(str(exc)) from None
            values = values.filter(period__start__gte=p.start, period__end__lte=p.end)
        if options.get("org"):
            unit = OrgUnit.objects.filter(code=options["org"]).first()
            if unit is None:
                raise CommandError(f"机构编码“{options['org']}”不存在")
            values = values.filter(org_unit__path__startswith=unit.path)
        data = EXPORTERS[options["format"]](values)
        if options.get("output"):
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"已导出 {values.count()} 个数据值到 {options['output']}")
        else:
            self.stdout.write(data.decode("utf-8").lstrip("\ufeff"), ending="")
