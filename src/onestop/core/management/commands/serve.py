"""``onestop serve``: run the platform with gunicorn, a production-grade WSGI server."""

from __future__ import annotations

from typing import Any

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
        serve(bind=options["bind"], workers=options["workers"], threads=options["threads"])


def serve(*, bind: str, workers: int, threads: int) -> None:
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
