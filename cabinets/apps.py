from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetsConfig(AppConfig):
    name = "cabinets"
    verbose_name = _("Cabinets")

    def ready(self) -> None:
        from cabinets import errors  # noqa: F401  registers the cabinets' error codes with the kernel
        from cabinets.adapter import ADAPTER
        from kernel import adapters

        adapters.register(ADAPTER)
