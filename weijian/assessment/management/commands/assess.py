"""`weijian assess import-scheme FILE [--year Y --kind K] [--dry-run]`,
`weijian assess score SCHEME_ID --year Y [--format json]` and
`weijian assess export SCHEME_ID --what scores|feedback|notice|scheme --out F`:
thin wrappers over assessment.importing, services and exports."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weijian.assessment import exports, importing, services
from weijian.assessment.models import Kind, Scheme, Stage, stage_at_least
from weijian.assessment.workflow import WorkflowError


class Command(BaseCommand):
    help = "考核：导入考核细则（import-scheme）、计算得分（score）、导出（export）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-scheme", help="从考核细则表（.docx/.xlsx/.csv）导入考核方案")
        imp.add_argument("file")
        imp.add_argument("--year", type=int, help="考核年度（默认取文件中的年度）")
        imp.add_argument("--kind", choices=Kind.values, default=Kind.COUNTY, help="考核对象")
        imp.add_argument("--name", default="", help="方案名称（默认取文件标题）")
        imp.add_argument("--dry-run", action="store_true", help="只显示识别结果，不保存")
        sc = sub.add_parser("score", help="按数据快照计算得分并输出")
        sc.add_argument("scheme_id", type=int)
        sc.add_argument("--year", type=int, required=True)
        sc.add_argument("--format", choices=["json", "table"], default="table")
        ex = sub.add_parser("export", help="导出评分表、反馈单或结果通报")
        ex.add_argument("scheme_id", type=int)
        ex.add_argument("--what", choices=["scores", "feedback", "notice", "scheme"], required=True)
        ex.add_argument("--out", required=True)

    def handle(self, *args, **opts):
        return {"import-scheme": self._import, "score": self._score, "export": self._export}[opts["action"]](
            opts
        )

    def _import(self, opts) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        draft = importing.read_upload(path.name, path.read_bytes())
        draft.to_session(year=opts["year"], kind=opts["kind"], name=opts["name"])
        for e in draft.errors:
            self.stderr.write(e)
        for r in draft.rows:
            what = f"{r.kind_label}：{r.described}" if r.rule else f"未识别（{r.reading}）"
            self.stdout.write(f"第{r.row}行 {r.category} / {r.name} {r.points}分 → {what}")
        if opts["dry_run"]:
            return
        try:
            scheme = importing.save(draft, None)
        except importing.ImportRefused as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"已导入方案 {scheme.pk}“{scheme.name}”：{scheme.items.count()}项考核细则。")

    def _scheme(self, opts) -> Scheme:
        scheme = Scheme.objects.filter(pk=opts["scheme_id"]).first()
        if scheme is None:
            raise CommandError(f"考核方案 {opts['scheme_id']} 不存在。")
        return scheme

    def _score(self, opts) -> None:
        scheme = self._scheme(opts)
        if scheme.year != opts["year"]:
            raise CommandError(f"考核方案 {scheme.pk} 是{scheme.year}年度的，不是{opts['year']}年度。")
        # Up to 审核 the scores are (re)computed from a fresh snapshot; from 预公示 on the units
        # have seen them, so the stored snapshot is what is printed.
        if not stage_at_least(scheme.stage, Stage.PREVIEW):
            try:
                services.score_scheme(scheme, None, reason="命令行计算得分")
            except WorkflowError as e:
                raise CommandError(str(e)) from None
        data = services.report(scheme)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for u in data["units"]:
            self.stdout.write(f"{u['rank'] or '—':>3}  {u['unit']}  {u['total']}分  {u['grade']}")

    def _export(self, opts) -> None:
        scheme = self._scheme(opts)
        out = Path(opts["out"])
        what = opts["what"]
        if what == "scores":
            data = exports.scores_xlsx(scheme)
        elif what == "scheme":
            data = (
                exports.scheme_docx(scheme) if out.suffix.lower() == ".docx" else exports.scheme_xlsx(scheme)
            )
        elif what == "notice":
            if not scheme.results_final:
                raise CommandError("考核结果审定后才能生成通报。")
            data = exports.notice_docx(scheme)
        else:
            buf = __import__("io").BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                for r in scheme.results.select_related("org_unit"):
                    z.writestr(f"{r.org_unit.name}考核反馈单.docx", exports.feedback_docx(r))
            data = buf.getvalue()
        out.write_bytes(data)
        self.stdout.write(f"已写入 {out}（{len(data)} 字节）。")
