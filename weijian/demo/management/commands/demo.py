"""`weijian demo [--if-empty]`: load the demo city into an empty database (see weijian.demo.loader)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from weijian.demo.city import COUNTIES
from weijian.demo.loader import DEFAULT_SEED, DemoRefused, database_is_empty, load_demo


class Command(BaseCommand):
    help = "载入演示城市（示例市：8 个县区、约 150 个机构、三年数据、演示账户），只能载入空数据库"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有数据时不做任何事（供 make run 使用，再次运行保留已有数据）",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="随机数种子（相同种子、相同日期生成相同数据）"
        )
        parser.add_argument(
            "--counties",
            type=int,
            default=len(COUNTIES),
            help=f"只建前几个县区（1-{len(COUNTIES)}，默认全部），用于快速试用",
        )

    def handle(self, *args, if_empty: bool = False, seed: int = DEFAULT_SEED, **options):
        if if_empty and not database_is_empty():
            return
        counties = options.get("counties") or len(COUNTIES)
        if not 1 <= counties <= len(COUNTIES):
            raise CommandError(f"--counties 应为 1 到 {len(COUNTIES)} 之间的整数")
        try:
            result = load_demo(seed=seed, counties=counties)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
