from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "kernel.pricing"
    label = "pricing"
    verbose_name = _("Prices and discounts")
    default_auto_field = "django.db.models.BigAutoField"
