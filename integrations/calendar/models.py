from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarToken(models.Model):
    """A private calendar-subscription link. Only a hash of its secret is stored; a revoked link answers 404.

    A personal link (no cabinet) shows one Telegram account's bookings; a cabinet link shows one cabinet's
    bookings to its staff, with client names masked unless both its issuer and its holder are managers (the
    issuer sees the link once, so a holder alone must not decide)."""

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("link starts with"), max_length=8, editable=False)
    account = models.ForeignKey("accounts.TelegramAccount", verbose_name=_("Telegram account"), null=True,
                                blank=True, on_delete=models.CASCADE, related_name="calendar_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff user"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="calendar_tokens")
    cabinet = models.ForeignKey("cabinets.Cabinet", verbose_name=_("cabinet"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="calendar_tokens")
    label = models.CharField(_("label"), max_length=100, blank=True)
    # Who made the link in the admin. Links made before this was recorded have none: they show no names.
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  editable=False, on_delete=models.SET_NULL, related_name="issued_calendar_tokens")
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cabinet__isnull=False) | Q(account__isnull=False),
                                   name="calendar_token_has_subject"),
            models.UniqueConstraint(fields=["account"], condition=Q(cabinet__isnull=True, revoked_at__isnull=True),
                                    name="calendar_token_one_personal_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.cabinet or self.account})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def holder_is_manager(self) -> bool:
        """A Telegram manager, or a staff user who is a manager (see `staff_is_manager`)."""
        if self.account is not None and self.account.is_manager:
            return True
        return staff_is_manager(self.user)

    @property
    def shows_names(self) -> bool:
        """Client names in full: only when a manager issued the link to a manager. Whoever issues a link sees
        it, so a staff member who may only create links cannot read names by naming a manager as its holder."""
        return staff_is_manager(self.issued_by) and self.holder_is_manager


def staff_is_manager(user) -> bool:
    """A manager among the admin's users: active staff who is a superuser or in the Managers group."""
    if user is None or not user.is_active or not user.is_staff:
        return False
    from accounts.permissions import MANAGERS_GROUP

    return user.is_superuser or user.groups.filter(name=MANAGERS_GROUP).exists()
