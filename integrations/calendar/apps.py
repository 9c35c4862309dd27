from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "integrations.calendar"
    label = "calendar_feeds"
    verbose_name = _("Calendar feeds")
    default_auto_field = "django.db.models.BigAutoField"
