from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    name = "kernel"
    label = "kernel"
    verbose_name = _("Booking kernel")
    default_auto_field = "django.db.models.BigAutoField"
