"""weijian proofread FILE [--format json|table] [--user USERNAME]"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "校对文稿（.docx/.pdf/.txt）：文字问题，以及与数据库不符的数字"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--user", default="", help="按此用户的数据权限比对（默认：系统管理员）")

    def handle(self, *args, **opts):
        from weijian.accounts.models import Role, User
        from weijian.reports.proofread import ProofreadError, proofread

        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件“{path}”")
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"没有用户“{opts['user']}”")
        else:
            user = (
                User.objects.filter(is_active=True).filter(is_superuser=True).first()
                or User.objects.filter(role=Role.ADMIN, is_active=True).first()
            )
            if user is None:
                raise CommandError("数据库中没有系统管理员账户，请用 --user 指定按谁的权限比对")
        try:
            result = proofread(path.read_bytes(), path.name, user)
        except ProofreadError as exc:
            raise CommandError(str(exc)) from exc
        data = result.to_dict()
        if opts["format"] == "json":
            data.pop("text")
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{path.name}：{len(result.findings)} 处问题")
        for f in result.findings:
            self.stdout.write(f"  [{f.id}] {f.label}：“{f.text}” — {f.note}")
        if result.unlinked:
            self.stdout.write(f"未能关联指标或未能比对的数字 {len(result.unlinked)} 个：")
            for u in result.unlinked:
                self.stdout.write(f"  {u.text}：{u.reason}")
