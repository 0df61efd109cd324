"""``cityexchange create-token EMAIL --name NAME``: an API token for a staff account."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.core.models import User
from cityexchange.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user; the token is printed once and stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="cli", help="A name to recognise the token by.")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email address {email!r}.")
        if not user.is_active:
            raise CommandError(f"The account {email!r} is deactivated.")
        token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
        self.stderr.write(f"Token {token.prefix}… for {user.email}; it is not shown again.")
