from django.core.management.base import BaseCommand, CommandError

from integrations.catalog import CatalogError, catalog_load


class Command(BaseCommand):
    help = (
        "Load the equipment catalogue (--items items.yaml) and/or the cabinets with their weekly schedules and "
        "the holidays (--cabinets cabinets.yaml). Entries are matched by name, so re-running updates them in "
        "place. An invalid file is refused as a whole: nothing is written. So is a file that would strand bookings "
        "(fewer units than are booked, an item withdrawn or a cabinet taken out of service with upcoming "
        "bookings, new hours or holidays over bookings): the refusal names them (E-3, C-5). The services file "
        "(--services services.yaml) brings specialists with their hours and days off and the services they "
        "perform, matched by their ids; its item_ids name the items file given in the same run. Prices: "
        "price_per_day of items, price_per_slot of cabinets, price of services; the services file also brings "
        "the discount rules (discounts, matched by kind) and discount_daily_quota."
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", metavar="PATH", help="items file: items: [{id, name, total_quantity, ...}]")
        parser.add_argument("--cabinets", metavar="PATH",
                            help="cabinets file: cabinets: [...], defaults: {schedule, days_off}, holidays: [...]")
        parser.add_argument("--services", metavar="PATH",
                            help="services file: specialists: [{id, name, hours, days_off}], services: [{id, name, "
                                 "duration_minutes, price, specialists, cabinets, equipment}], discounts: [{kind, "
                                 "percent, min_total}], discount_daily_quota")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the files and show what would change, without saving anything")

    def handle(self, *args, items, cabinets, services, dry_run, verbosity, **options):
        if not items and not cabinets and not services:
            raise CommandError("Give --items PATH, --cabinets PATH, --services PATH, or several.")
        try:
            report = catalog_load(items_path=items, cabinets_path=cabinets, services_path=services,
                                  dry_run=dry_run)
        except CatalogError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write("\n".join(report.lines(verbose=verbosity >= 2)))
