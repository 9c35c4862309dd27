from django.core.management.base import BaseCommand, CommandError

from accounts.services import VALID_SCOPES, partner_create
from kernel.errors import BookingError


class Command(BaseCommand):
    help = ("Create a partner and its API key. Only the key goes to stdout (so it can be piped into a secret "
            "store); everything else goes to stderr. The key is shown this once: only its hash is stored.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="The partner's name, unique.")
        parser.add_argument("--scopes", required=True,
                            help=f"Comma-separated: {', '.join(sorted(VALID_SCOPES))}.")
        parser.add_argument("--extra", default="", help="An extra secret the partner sends as X-API-Extra.")
        parser.add_argument("--rate-limit", type=int, default=None, help="Requests per minute (default 120).")

    def handle(self, *args, name, scopes, extra, rate_limit, **options):
        wanted = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        if not wanted:
            raise CommandError("Give at least one scope with --scopes.")
        if rate_limit is not None and rate_limit < 1:
            raise CommandError("--rate-limit must be at least 1.")
        try:
            partner, key = partner_create(name=name, scopes=wanted, extra_secret=extra,
                                          rate_limit_per_minute=rate_limit)
        except BookingError as error:
            raise CommandError(str(error)) from error
        except Exception as error:  # full_clean: a duplicate or empty name
            messages = getattr(error, "messages", None)
            reason = "; ".join(messages) if messages else str(error)
            raise CommandError(f"Could not create partner {name!r}: {reason}") from error
        self.stderr.write(f"Created partner {partner.name!r} (scopes: {', '.join(partner.scopes)}, "
                          f"{partner.rate_limit_per_minute}/min). The key below is shown only now.")
        self.stdout.write(key)
