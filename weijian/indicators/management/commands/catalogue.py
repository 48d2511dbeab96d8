"""`weijian catalogue load [--file F]` and `weijian catalogue export`: thin wrappers over
weijian.indicators.catalogue."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from weijian.indicators.catalogue import CatalogueError, export_catalogue, load_catalogue


class Command(BaseCommand):
    help = "指标目录：load 载入或更新国家指标目录（按编码新增或更新，不会重复）；export 以 JSON 输出目录"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        load = sub.add_parser("load", help="载入或更新指标目录（默认为随软件提供的国家指标目录）")
        load.add_argument("--file", help="从 JSON 文件载入（格式同 export 的输出）")
        sub.add_parser("export", help="以 JSON 输出数据库中的全部数据元和指标")

    def handle(self, *args, action: str, **options):
        if action == "export":
            self.stdout.write(json.dumps(export_catalogue(), ensure_ascii=False, indent=2))
            return
        data = None
        if options.get("file"):
            data = _read_json(options["file"])
        try:
            result = load_catalogue(data)
        except CatalogueError as exc:
            raise CommandError("指标目录有误，未做任何更改：\n  " + "\n  ".join(exc.problems)) from None
        self.stdout.write(f"指标目录已载入。{result.summary()}")


def _read_json(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise CommandError(f"无法读取文件“{path}”：{exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CommandError(f"文件“{path}”不是 UTF-8 编码的 JSON 文件") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"文件“{path}”第{exc.lineno}行第{exc.colno}列 JSON 格式有误：{exc.msg}") from None
    if not isinstance(data, dict):
        raise CommandError(f'文件“{path}”的内容应为 {{"elements": [...], "indicators": [...]}}')
    return data
