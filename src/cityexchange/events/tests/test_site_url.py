"""Links in mails point where the platform is served: SITE_URL follows PORT when unset."""

from __future__ import annotations

import os
import subprocess
import sys

BASE_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
    "CITYEXCHANGE_TESTING": "1",
}


def site_url(**env: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SITE_URL)",
        ],
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_mail_links_follow_the_port_the_platform_is_served_on() -> None:
    assert site_url(PORT="8123") == "http://127.0.0.1:8123"
    assert site_url() == "http://127.0.0.1:8000"
    # An explicit address wins (a proxy in front, another host name).
    assert site_url(PORT="8123", SITE_URL="https://cx.example.org/") == "https://cx.example.org"
