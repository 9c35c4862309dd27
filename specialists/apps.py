from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecialistsConfig(AppConfig):
    name = "specialists"
    verbose_name = _("Specialists and services")

    def ready(self) -> None:
        from kernel import adapters
        from specialists import errors  # noqa: F401  registers the specialists' error codes with the kernel
        from specialists.adapter import ADAPTER

        adapters.register(ADAPTER)

        from cabinets.booking_stats import section_register
        from specialists.stats import statistics_section

        section_register(statistics_section)
