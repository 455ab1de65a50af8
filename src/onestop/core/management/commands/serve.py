"""``onestop serve``: run the platform with gunicorn, a production-grade WSGI server.

The ``onestop`` command starts it with ``DEBUG`` off (``onestop.cli``); static files are then
served by WhiteNoise from ``STATIC_ROOT`` through the manifest storage, so ``serve`` collects
them first.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "用 gunicorn 运行平台（生产级 WSGI 服务器，不是 runserver）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="监听地址，默认 127.0.0.1:8000"
        )
        parser.add_argument("--workers", type=int, default=2, help="工作进程数，默认 2")
        parser.add_argument("--threads", type=int, default=4, help="每个进程的线程数，默认 4")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # The manifest storage needs collected files; without them every page is a 500.
            call_command("collectstatic", interactive=False, verbosity=0)
        serve(bind=options["bind"], workers=options["workers"], threads=options["threads"])


def serve(*, bind: str, workers: int, threads: int) -> None:
    if settings.DEBUG:
        sys.stderr.write(
            "警告：DEBUG 已开启，出错时会向访问者显示调试页面（网址配置、源码）。"
            "对外服务请去掉 ONESTOP_DEBUG=1。\n"
        )
    from django.core.servers.basehttp import get_internal_wsgi_application
    from gunicorn.app.base import BaseApplication

    # settings.WSGI_APPLICATION, as runserver loads it (core does not import config).
    application = get_internal_wsgi_application()

    class _App(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", [bind])
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)

        def load(self) -> Any:
            return application

    _App().run()
