from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People")

    def ready(self):
        from accounts.permissions import managers_group_ensure

        # Every app's post_migrate, so the permissions of apps migrated after this one are included too.
        post_migrate.connect(managers_group_ensure, dispatch_uid="accounts.managers_group_ensure")
