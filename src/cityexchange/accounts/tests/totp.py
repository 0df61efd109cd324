"""The code an authenticator app would show now, computed with allauth's own TOTP helper."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def current_code(secret: str, *, offset: int = 0) -> str:
    counter = int(time.time()) // app_settings.TOTP_PERIOD + offset
    return str(format_hotp_value(hotp_value(secret, counter)))
