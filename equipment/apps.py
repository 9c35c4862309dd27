from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    name = "equipment"
    verbose_name = _("Equipment")

    def ready(self) -> None:
        from equipment import waitlist  # noqa: F401  registers the offer pass for freed units
