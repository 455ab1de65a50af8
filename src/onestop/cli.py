"""The ``onestop`` console command.

Every subcommand is a Django management command owned by the app it belongs to
(``onestop demo``, ``onestop serve``, ``onestop workdays add …``, ``onestop catalog check``),
so ``onestop <any manage.py command>`` passes straight through; ``onestop manage <cmd>`` is
accepted as a synonym for those who think of it that way.

``onestop demo`` and ``onestop serve`` run gunicorn, the production-grade server, which
citizens reach: they run with ``DEBUG`` off (styled error pages, no URLconf or traceback
shown to a stranger) unless ``ONESTOP_DEBUG`` is set explicitly. ``onestop runserver``
keeps the development default (``DEBUG`` on outside production).
"""

from __future__ import annotations

import os
import sys

# Subcommands that serve with gunicorn: DEBUG off unless the user asked for it.
SERVING = frozenset({"demo", "serve"})


def environment_for(args: list[str]) -> None:
    """Set the environment defaults the subcommand needs, before the settings are read."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
    if args and args[0] in SERVING:
        os.environ.setdefault("ONESTOP_DEBUG", "0")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":
        args = args[1:]
    environment_for(args)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onestop", *args])


if __name__ == "__main__":
    main()
