from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.catalog import CatalogError, catalog_load


class Command(BaseCommand):
    help = (
        "Load the demo catalogue shipped in configs/ (demo-items.yaml, demo-cabinets.yaml, demo-services.yaml): a "
        "few devices, two cabinets with their schedules, the public holidays, three specialists and four services. "
        "Safe to re-run: it changes nothing the second time."
    )

    def handle(self, *args, verbosity, **options):
        configs = settings.BASE_DIR / "configs"
        try:
            report = catalog_load(items_path=configs / "demo-items.yaml",
                                  cabinets_path=configs / "demo-cabinets.yaml",
                                  services_path=configs / "demo-services.yaml")
        except CatalogError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write("\n".join(report.lines(verbose=verbosity >= 2)))
