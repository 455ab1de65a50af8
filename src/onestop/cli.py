"""The ``onestop`` console command.

Every subcommand is a Django management command owned by the app it belongs to
(``onestop demo``, ``onestop serve``, ``onestop workdays add …``, ``onestop catalog check``),
so ``onestop <any manage.py command>`` passes straight through; ``onestop manage <cmd>`` is
accepted as a synonym for those who think of it that way.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":
        args = args[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onestop", *args])


if __name__ == "__main__":
    main()
