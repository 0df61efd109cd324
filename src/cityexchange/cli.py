"""The ``cityexchange`` command: Django's management commands with our settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityexchange.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "cityexchange"
    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        # A configuration mistake deserves one clear line, not a traceback.
        sys.stderr.write(f"cityexchange: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
