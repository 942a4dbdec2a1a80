"""``youlin apitoken create --user USERNAME --name NAME`` prints a new personal token on its last line;
``youlin apitoken revoke --user USERNAME --name NAME`` revokes that user's tokens of that name."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from youlin.api.selectors import tokens_of
from youlin.api.services import TokenError, token_create, token_revoke


class Command(BaseCommand):
    help = "Create or revoke personal API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("create", "revoke"):
            p = sub.add_parser(name)
            p.add_argument("--user", required=True, help="username")
            p.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args, action: str, user: str, name: str, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user {user!r}")
        if action == "create":
            try:
                _token, raw = token_create(user=account, name=name)
            except TokenError as exc:
                raise CommandError(str(exc.message)) from None
            self.stdout.write(f"Token {name!r} for {user}; it is shown only now:")
            self.stdout.write(raw)
            return
        tokens = [t for t in tokens_of(account) if t.name == name and t.revoked_at is None]
        if not tokens:
            raise CommandError(f"{user} has no active token named {name!r}")
        for token in tokens:
            token_revoke(actor=account, token=token)
        self.stdout.write(f"Revoked {len(tokens)} token(s) named {name!r} of {user}.")
