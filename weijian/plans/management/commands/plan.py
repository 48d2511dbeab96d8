"""`weijian plan import FILE --year Y [--dry-run] [--format json|table]` and
`weijian plan remind [--date D]`: thin wrappers over plans.importing and plans.tracking."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weijian.plans import importing, tracking


class Command(BaseCommand):
    help = "工作计划：导入工作要点（import）、发送进度催报（remind）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入工作要点或任务分解表（.docx/.xlsx/.csv/.pdf/.txt）")
        imp.add_argument("file")
        imp.add_argument("--year", type=int, required=True, help="计划年度")
        imp.add_argument("--dry-run", action="store_true", help="只显示识别结果，不保存")
        imp.add_argument("--format", choices=["json", "table"], default="table")
        rem = sub.add_parser("remind", help="向逾期或即将到期未填报进度的科室发送邮件提醒")
        rem.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **opts):
        if opts["action"] == "import":
            return self._import(opts)
        return self._remind(opts)

    def _import(self, opts) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        if not 2000 <= opts["year"] <= 2100:
            raise CommandError(f"年度 {opts['year']} 无效。")
        try:
            text = importing.read_text(path.read_bytes(), path.name)
        except importing.ImportError_ as exc:
            raise CommandError(str(exc)) from None
        from weijian.plans.models import Plan, PlanDraft

        proposal = importing.propose(text, opts["year"])
        result = importing.summary(proposal)
        area = tracking.plan_area(Plan(year=opts["year"]))
        result["warnings"] = importing.import_warnings(proposal, opts["year"], area)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self._table(result)
        if opts["dry_run"]:
            return
        user = _system_user()
        draft = PlanDraft(user=user, file_name=path.name[:255], year=opts["year"], proposal=proposal)
        pending = importing.pending_departments(proposal)
        if pending:
            names = "、".join(f"“{n}”（相近的已有科室：“{e}”）" for n, e in pending.items())
            raise CommandError(
                f"未保存：以下科室与已有科室相近，请在网页“核对导入”中确认，或先为已有科室添加别名：{names}。"
            )
        draft.save()
        plan = importing.confirm(draft, user, area=area)
        # With JSON on stdout the confirmation goes to stderr, so the output stays parseable.
        out = self.stderr if opts["format"] == "json" else self.stdout
        out.write(
            f"已保存计划“{plan.title}”（编号 {plan.pk}）：{plan.tasks.count()}项任务，{plan.targets.count()}个目标。"
        )

    def _table(self, result: dict) -> None:
        self.stdout.write(f"{result['title']}（{result['year']}年）")
        for w in result.get("warnings", []):
            self.stdout.write(f"注意：{w}")
        self.stdout.write(f"任务 {len(result['tasks'])} 项：")
        for t in result["tasks"]:
            owners = "、".join(t["lead_departments"] + t["departments"])
            deadline = f"  时限={t['deadline']}" if t.get("deadline") else ""
            self.stdout.write(
                f"  {t['num'] or '—':<10} {t['title']}  [{'、'.join(t['leaders'])} | {owners}]{deadline}"
            )
        self.stdout.write(f"目标 {len(result['targets'])} 个：")
        for g in result["targets"]:
            self.stdout.write(
                f"  {g['task'] or '—':<10} {g['phrase']} {g['cmp']} {g['value']:g}{g['unit']}"
                f"  指标={g['indicator'] or '未关联'} 范围={g['scope']} 时限={g['deadline']}"
            )
        if result["unknown_numbers"]:
            self.stdout.write(f"未识别的数字：{'、'.join(result['unknown_numbers'])}")

    def _remind(self, opts) -> None:
        today = None
        if opts.get("date"):
            try:
                today = date.fromisoformat(opts["date"])
            except ValueError:
                raise CommandError(f"日期“{opts['date']}”无效（格式 2024-03-31）。") from None
        sent = tracking.send_reminders(today)
        for r in sent:
            self.stdout.write(
                f"{r.kind} {r.task.num} {r.task.title} {r.period_code} → {'、'.join(r.recipients)}"
            )
        self.stdout.write(f"已发送 {len(sent)} 条提醒。")


def _system_user():
    """Imports from the console are recorded under the first administrator."""
    from weijian.accounts.models import Role, User

    user = (
        User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError("系统中还没有管理员账户，请先创建（weijian createsuperuser）。")
    return user
