from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TelegramAccount(models.Model):
    """Anyone who wrote to one of the bots."""

    telegram_id = models.BigIntegerField(_("Telegram id"), unique=True)
    username = models.CharField(_("username"), max_length=64, blank=True)
    first_name = models.CharField(_("first name"), max_length=128, blank=True)
    last_name = models.CharField(_("last name"), max_length=128, blank=True)
    language_code = models.CharField(_("language"), max_length=16, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_manager = models.BooleanField(_("manager"), default=False)
    is_blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("block reason"), max_length=500, blank=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    reminders_enabled = models.BooleanField(_("reminders on"), default=True)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram account")
        verbose_name_plural = _("Telegram accounts")
        ordering = ["-last_seen_at", "id"]

    def __str__(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        handle = f"@{self.username}" if self.username else str(self.telegram_id)
        return f"{name} ({handle})" if name else handle

    @property
    def language(self) -> str:
        return "en" if (self.language_code or "").lower().startswith("en") else "ru"


class Partner(models.Model):
    """A partner system calling the REST API. Only a hash of its key is stored."""

    class Scope(models.TextChoices):
        READ_ITEMS = "read:items", _("Read items and cabinets")
        READ_AVAILABILITY = "read:availability", _("Read availability and slots")
        WRITE_BOOKINGS = "write:bookings", _("Create and cancel bookings")

    name = models.CharField(_("name"), max_length=100, unique=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    extra_secret_hash = models.CharField(_("extra secret hash"), max_length=64, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate_limit_per_minute__gte=1),
                                   name="partner_rate_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class Client(models.Model):
    """A person the clinic serves, one per normalised phone number. A booking from any door creates or updates
    it (accounts.clients); each booking keeps the name and phone as booked and points here."""

    phone = models.CharField(_("phone"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    email_bounced_at = models.DateTimeField(
        _("e-mail bounced at"), null=True, blank=True,
        help_text=_("The mail server refused this address for good: no more messages are sent to it."),
    )
    personal_discount_percent = models.DecimalField(
        _("personal discount, %"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    telegram_account = models.ForeignKey(
        TelegramAccount, verbose_name=_("Telegram account"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="clients",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    birthday_asked_at = models.DateTimeField(
        _("birthday asked at"), null=True, blank=True, editable=False,
        help_text=_("When the bot or the booking page asked for the birthday and the client skipped it: they "
                    "are not asked again."),
    )

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_discount_percent__isnull=True)
                | Q(personal_discount_percent__gte=0, personal_discount_percent__lte=100),
                name="client_personal_discount_0_100",
            ),
        ]

    def __str__(self) -> str:
        if self.anonymised_at is not None:
            return _("Anonymised client #%(id)s") % {"id": self.pk}
        return self.name
