"""The ``cityexchange`` command: Django's management commands with our settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityexchange.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "cityexchange"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
