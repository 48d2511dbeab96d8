"""`weijian data import FILE [--partial] [--user USERNAME]` and
`weijian data export [--format csv|dhis2-json|dhis2-csv] [--period P] [--org CODE] [-o FILE]`:
thin wrappers over data.imports.import_file and data.exports."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from weijian.data import exports, periods
from weijian.data.imports import import_file
from weijian.data.models import DataValue
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
        result = import_file(
            path.read_bytes(), path.name, user, partial=options["partial"], system=user is None
        )
        out = self.stdout if result.ok else self.stderr
        out.write(result.message)
        for problem in result.errors:
            out.write(f"  {problem}")
        if not result.ok:
            sys.exit(1)

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
