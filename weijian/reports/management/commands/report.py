"""weijian report draft --org CODE --year Y --out F.docx [--json F.json]
weijian report ranking --org CODE --target CODE --period P --out F.docx"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weijian.data import periods
from weijian.orgs.models import OrgUnit
from weijian.web import dashboard


class Command(BaseCommand):
    help = "起草工作总结或排名通报（Word，公文格式）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("draft", help="起草年度工作总结")
        d.add_argument("--org", required=True)
        d.add_argument("--year", type=int, required=True)
        d.add_argument("--out", required=True)
        d.add_argument("--json", help="同时写出数字来源（JSON）")
        d.add_argument("--doc-number", default="", help="发文字号；给出时加红色版头")
        r = sub.add_parser("ranking", help="起草排名通报")
        r.add_argument("--org", required=True)
        r.add_argument("--target", required=True)
        r.add_argument("--period", required=True)
        r.add_argument("--out", required=True)
        r.add_argument("--json")

    def handle(self, *args, **opts):
        from weijian.reports import services

        org = OrgUnit.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"没有编码为“{opts['org']}”的单位")
        if opts["action"] == "draft":
            report = services.make_summary(None, org, opts["year"], opts["doc_number"])
        else:
            target = dashboard.resolve_target(opts["target"])
            if target is None:
                raise CommandError(f"没有编码为“{opts['target']}”的指标或数据元")
            try:
                code = periods.parse(opts["period"]).code
            except periods.PeriodError as exc:
                raise CommandError(str(exc)) from exc
            report = services.make_ranking(None, target, org, code)
        Path(opts["out"]).write_bytes(bytes(report.docx))
        if opts.get("json"):
            Path(opts["json"]).write_text(
                json.dumps(report.figures, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        self.stdout.write(f"已写出 {opts['out']}：{report.title}，{len(report.figures)} 个数字")
