"""`weijian analytics rebuild`: recompute every pre-aggregated total from the stored values."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "汇总表：rebuild 由已存数据重新计算全部汇总值"

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, **options) -> None:
        from weijian.analytics.services import rebuild

        started = time.perf_counter()
        rows = rebuild()
        self.stdout.write(f"汇总表已重建：{rows} 条汇总值，用时 {time.perf_counter() - started:.1f} 秒。")
