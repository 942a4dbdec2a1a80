"""``youlin apikey create --name NAME`` prints a new Open311 key on its last line; ``youlin apikey revoke --name
NAME`` revokes it; ``youlin apikey list`` shows the keys (never the keys themselves)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from youlin.open311.models import ApiKey
from youlin.open311.services import Open311Error, apikey_create, apikey_revoke


class Command(BaseCommand):
    help = "Create, revoke or list Open311 API keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("create", "revoke"):
            sub.add_parser(name).add_argument("--name", required=True, help="who uses the key, e.g. 12345平台")
        sub.add_parser("list")

    def handle(self, *args, action: str, **options):
        if action == "list":
            for key in ApiKey.objects.order_by("name"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                self.stdout.write(f"{key.name}\t{key.prefix}…\t{state}")
            return
        name = options["name"]
        if action == "create":
            try:
                _key, raw = apikey_create(name=name)
            except Open311Error as exc:
                raise CommandError(str(exc.description)) from None
            self.stdout.write(f"Open311 key {name!r}; it is shown only now:")
            self.stdout.write(raw)
            return
        key = ApiKey.objects.filter(name=name).first()
        if key is None:
            raise CommandError(f"no key named {name!r}")
        apikey_revoke(key=key)
        self.stdout.write(f"Revoked key {name!r}.")
