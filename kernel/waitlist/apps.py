from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "kernel.waitlist"
    label = "waitlist"
    verbose_name = _("Waitlist")
