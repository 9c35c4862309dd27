from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetsConfig(AppConfig):
    name = "cabinets"
    verbose_name = _("Cabinets")

    def ready(self) -> None:
        from cabinets import waitlist  # noqa: F401  registers the offer pass for freed windows
