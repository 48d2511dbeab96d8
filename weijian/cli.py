"""The `weijian` console command.

`weijian extract FILE` runs the document engine alone (no database, no Django set-up);
every other sub-command is a Django management command (`weijian migrate`, `weijian demo`,
`weijian data import FILE`, `weijian plan import FILE --year Y`, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "extract":
        from weijian.textmine.cli import main as extract_main

        return extract_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijian.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["weijian", *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
