"""`weijian orgs import FILE`, `weijian orgs export [--format xlsx|csv] [-o FILE]` and
`weijian orgs groups`: thin wrappers over weijian.orgs.io and weijian.orgs.groups."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from weijian.orgs.groups import rebuild_standard_groups
from weijian.orgs.io import export_orgs, import_orgs


class Command(BaseCommand):
    help = "组织机构：import 按编码导入（Excel 或 CSV），export 导出，groups 重建标准机构分组"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        imp = sub.add_parser("import", help="从 .xlsx 或 .csv 文件导入组织机构（全部无误才导入）")
        imp.add_argument("file", help="文件路径")
        exp = sub.add_parser("export", help="导出组织机构")
        exp.add_argument(
            "--format", choices=["xlsx", "csv"], help="格式（默认按 -o 的扩展名，输出到屏幕时为 csv）"
        )
        exp.add_argument("-o", "--output", help="输出文件（默认输出到屏幕）")
        sub.add_parser("groups", help="重建标准机构分组（二级以上公立医院、医共体成员）")

    def handle(self, *args, action: str, **options):
        if action == "import":
            self._import(options["file"])
        elif action == "export":
            self._export(options.get("format"), options.get("output"))
        else:
            counts = rebuild_standard_groups()
            self.stdout.write(
                "机构分组已重建：" + "，".join(f"{name} {n} 个" for name, n in counts.items()) + "。"
            )

    def _import(self, path: str) -> None:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path}”：{exc.strerror}") from None
        result = import_orgs(data, os.path.basename(path))
        if result.errors:
            raise CommandError(result.summary() + "\n  " + "\n  ".join(str(e) for e in result.errors))
        self.stdout.write(result.summary())

    def _export(self, fmt: str | None, output: str | None) -> None:
        if fmt is None:
            fmt = "xlsx" if output and output.lower().endswith(".xlsx") else "csv"
        data = export_orgs(fmt)
        if output:
            try:
                with open(output, "wb") as fh:
                    fh.write(data)
            except OSError as exc:
                raise CommandError(f"无法写入文件“{output}”：{exc.strerror}") from None
            self.stderr.write(f"已导出到 {output}")
        elif fmt == "csv":
            self.stdout.write(data.decode("utf-8-sig"), ending="")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
