"""Render config/nginx.conf.template for this installation: nginx in front of the app servers."""

import getpass
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TEMPLATE = Path(settings.BASE_DIR) / "config" / "nginx.conf.template"


def render(
    *, listen: str, apps: list[str], export_dir: Path, run_dir: Path, access_log: str = "off", user: str = ""
) -> str:
    """Return the nginx configuration: `listen` (HOST:PORT), the app servers' addresses
    (unix:/path.sock or HOST:PORT), the static export to serve, and where nginx keeps its pid,
    logs and temporary files."""
    if not apps:
        raise CommandError("Name at least one app server (--app unix:/path/app.sock or --app 127.0.0.1:8001).")
    values = {
        # Started as root, nginx would drop its workers to nobody, who may not read the project or
        # reach the app sockets: run them as the user named, or as the caller (make production).
        "user_line": f"user {user or getpass.getuser()};" if os.geteuid() == 0 or user else "",
        "pid_file": str(run_dir / "nginx.pid"),
        "error_log": str(run_dir / "nginx-error.log"),
        # Buffered: one write a 64 KiB or a second, not one a request (lines reach the file within 1 s).
        "access_log": access_log if access_log == "off" else f"{access_log} combined buffer=64k flush=1s",
        "mime_types": "/etc/nginx/mime.types",
        "temp_dir": str(run_dir / "nginx-temp"),
        "max_body": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024}k",
        "upstreams": "\n".join(f"        server {app} max_fails=1 fail_timeout=5s;" for app in apps),
        "listen": listen,
        "export_dir": str(export_dir),
        "static_root": str(settings.STATIC_ROOT),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text.replace("{{name}}", ""):
        raise CommandError(f"{TEMPLATE} has a placeholder this command does not fill.")
    return text


class Command(BaseCommand):
    help = "Write the nginx configuration that serves the static export and proxies to the app servers."

    def add_arguments(self, parser):
        parser.add_argument("--listen", required=True, help="HOST:PORT nginx listens on")
        parser.add_argument("--app", action="append", default=[], help="an app server: unix:/path.sock or HOST:PORT")
        parser.add_argument("--export-dir", required=True, type=Path, help="the directory export_static writes")
        parser.add_argument("--run-dir", required=True, type=Path, help="where nginx keeps its pid, logs, temp files")
        parser.add_argument("--access-log", default="off", help="a file for the access log (default: off)")
        parser.add_argument("--user", default="", help="the user nginx's workers run as (default: the caller)")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, **options):
        run_dir = options["run_dir"].resolve()
        (run_dir / "nginx-temp").mkdir(parents=True, exist_ok=True)
        text = render(
            listen=options["listen"],
            apps=options["app"],
            export_dir=options["export_dir"].resolve(),
            run_dir=run_dir,
            access_log=options["access_log"],
            user=options["user"],
        )
        options["output"].write_text(text, encoding="utf-8")
        self.stdout.write(f"nginx configuration written to {options['output']}")
