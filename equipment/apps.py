from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    name = "equipment"
    verbose_name = _("Equipment")

    def ready(self) -> None:
        from equipment import errors  # noqa: F401  registers equipment's error codes with the kernel
        from equipment.adapter import ADAPTER
        from kernel import adapters

        adapters.register(ADAPTER)
