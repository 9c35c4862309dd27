"""A client's wallet is a ledger: one row per movement of money, never edited or deleted. The balance is the sum
of the client's rows (payments/wallets.py), never a stored counter that could drift from them.

A row may name the booking it is about generically, `resource_type` + `booking_id`, as a waitlist entry names
its resource: payments know no resource's model."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WalletTransaction(models.Model):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        CORRECTION = "correction", _("Correction")
        PACKAGE_PURCHASE = "package_purchase", _("Package purchase")

    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="wallet_transactions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Signed: money in (deposit, refund) is positive, money out (payment, package purchase) negative.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=500)
    actor = models.CharField(_("made by"), max_length=200)
    idempotency_key = models.CharField(_("operation key"), max_length=160, unique=True)
    resource_type = models.CharField(_("booking type"), max_length=16, blank=True)
    booking_id = models.BigIntegerField(_("booking id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("wallet transaction")
        verbose_name_plural = _("wallet transactions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "currency"], name="wallet_client_currency_idx")]
        constraints = [
            # The database's word on what the service checks first (payments/wallets.py SIGNS).
            models.CheckConstraint(condition=~Q(amount=0), name="wallet_amount_not_zero"),
            models.CheckConstraint(condition=~Q(kind__in=["deposit", "refund"]) | Q(amount__gt=0),
                                   name="wallet_money_in_positive"),
            models.CheckConstraint(condition=~Q(kind__in=["payment", "package_purchase"]) | Q(amount__lt=0),
                                   name="wallet_money_out_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["deposit", "payment", "refund", "correction", "package_purchase"]),
                name="wallet_kind_known"),
            models.CheckConstraint(condition=~Q(reason=""), name="wallet_has_reason"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="wallet_has_key"),
            models.CheckConstraint(
                condition=Q(resource_type="", booking_id__isnull=True) | (~Q(resource_type="")
                                                                         & Q(booking_id__isnull=False)),
                name="wallet_booking_type_and_id_together"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.amount} {self.currency}"


class PackageProduct(models.Model):
    """What the clinic sells as a package: a number of sessions of one service for one price, to be used within
    a number of days of the purchase."""

    service = models.ForeignKey("specialists.Service", verbose_name=_("service"), on_delete=models.PROTECT,
                                related_name="package_products")
    sessions = models.PositiveSmallIntegerField(_("sessions"), validators=[MinValueValidator(1),
                                                                           MaxValueValidator(100)],
                                                help_text=_("How many appointments the package covers (1 to 100)."))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.01"))],
                                help_text=_("What the client pays for the whole package."))
    validity_days = models.PositiveSmallIntegerField(
        _("valid for (days)"), validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("Appointments on the day of the purchase and this many days after it use the package."))
    is_active = models.BooleanField(_("on sale"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["service__name", "sessions", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1, sessions__lte=100), name="package_sessions_1_100"),
            models.CheckConstraint(condition=Q(price__gt=0), name="package_price_positive"),
            models.CheckConstraint(condition=Q(validity_days__gte=1), name="package_validity_positive"),
        ]

    def __str__(self) -> str:
        return _("%(service)s × %(sessions)s") % {"service": self.service.name, "sessions": self.sessions}


class ClientPackage(models.Model):
    """A package a client bought. Its service, sessions and price are copied from the product at the sale, so
    a later change of the product changes no package sold. How many sessions are left is derived from the
    client's appointments priced with it (payments/packages.py), never stored."""

    class PaidBy(models.TextChoices):
        CASH = "cash", _("Cash at the clinic")
        WALLET = "wallet", _("From the wallet")
        TELEGRAM = "telegram", _("Telegram Payments")

    product = models.ForeignKey(PackageProduct, verbose_name=_("package"), on_delete=models.PROTECT,
                                related_name="sold")
    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="packages")
    service = models.ForeignKey("specialists.Service", verbose_name=_("service"), on_delete=models.PROTECT,
                                related_name="client_packages")
    sessions = models.PositiveSmallIntegerField(_("sessions"))
    bought_at = models.DateTimeField(_("bought at"))
    valid_until = models.DateField(_("valid until"), help_text=_("The last clinic day an appointment uses it."))
    paid_by = models.CharField(_("paid by"), max_length=8, choices=PaidBy.choices)
    price = models.DecimalField(_("price paid"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    actor = models.CharField(_("sold by"), max_length=200)
    idempotency_key = models.CharField(_("operation key"), max_length=160, unique=True)
    wallet_transaction = models.OneToOneField(WalletTransaction, verbose_name=_("wallet transaction"), null=True,
                                              blank=True, on_delete=models.PROTECT, related_name="package")

    class Meta:
        verbose_name = _("client's package")
        verbose_name_plural = _("clients' packages")
        ordering = ["-bought_at", "-id"]
        indexes = [models.Index(fields=["client", "service", "valid_until"], name="package_client_service_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="clientpackage_sessions_positive"),
            models.CheckConstraint(condition=Q(price__gt=0), name="clientpackage_price_positive"),
            models.CheckConstraint(condition=Q(paid_by__in=["cash", "wallet", "telegram"]),
                                   name="clientpackage_paid_by_known"),
            models.CheckConstraint(condition=Q(paid_by__in=["cash", "telegram"], wallet_transaction__isnull=True)
                                   | Q(paid_by="wallet", wallet_transaction__isnull=False),
                                   name="clientpackage_wallet_payment_recorded"),
        ]

    def __str__(self) -> str:
        return _("%(service)s × %(sessions)s until %(day)s") % {
            "service": self.service.name, "sessions": self.sessions, "day": f"{self.valid_until:%d.%m.%Y}"}


class Payment(models.Model):
    """One attempt to pay: for a booking (its price's total), a wallet top-up or a package. An online attempt
    starts `created` (an invoice was sent), is `pending` once Telegram asked whether it may go ahead
    (pre-checkout), then `paid` (both charge ids recorded), `failed` or `cancelled`; a paid one becomes
    `refunded` when all of it has been given back (Refund rows). Rows are never deleted: with the booking's
    history, its price lines and the wallet's ledger they are the story of every booking's money."""

    class State(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class Method(models.TextChoices):
        TELEGRAM = "telegram", _("Telegram Payments")
        WALLET = "wallet", _("From the wallet")
        CASH = "cash", _("Cash at the clinic")

    class Purpose(models.TextChoices):
        BOOKING = "booking", _("Booking")
        TOPUP = "topup", _("Wallet top-up")
        PACKAGE = "package", _("Package")

    purpose = models.CharField(_("for"), max_length=8, choices=Purpose.choices, default=Purpose.BOOKING)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    state = models.CharField(_("state"), max_length=9, choices=State.choices, default=State.CREATED, db_index=True)
    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="payments")
    resource_type = models.CharField(_("booking type"), max_length=16, blank=True)
    booking_id = models.BigIntegerField(_("booking id"), null=True, blank=True)
    product = models.ForeignKey(PackageProduct, verbose_name=_("package"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # What the invoice carries back in every update about it: names this row, and nothing a client could guess.
    invoice_payload = models.CharField(_("invoice payload"), max_length=64, unique=True, null=True, blank=True)
    telegram_payment_charge_id = models.CharField(_("Telegram charge id"), max_length=200, unique=True, null=True,
                                                  blank=True)
    provider_payment_charge_id = models.CharField(_("provider charge id"), max_length=200, blank=True)
    telegram_id = models.BigIntegerField(_("paid from Telegram user"), null=True, blank=True)
    wallet_transaction = models.OneToOneField(
        WalletTransaction, verbose_name=_("wallet transaction"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="payment", help_text=_("Paid from the wallet, or the money credited to it (a top-up, a "
                                            "payment that came after its booking's hold ended)."))
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.CharField(_("made by"), max_length=200)
    idempotency_key = models.CharField(_("operation key"), max_length=160, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resource_type", "booking_id"], name="payment_booking_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=models.F("amount")),
                                   name="payment_refund_within_amount"),
            models.CheckConstraint(condition=Q(state__in=["created", "pending", "paid", "failed", "cancelled",
                                                          "refunded"]), name="payment_state_known"),
            models.CheckConstraint(condition=~Q(purpose="booking") | Q(booking_id__isnull=False) & ~Q(resource_type=""),
                                   name="payment_booking_named"),
            models.CheckConstraint(condition=~Q(state__in=["paid", "refunded"]) | Q(paid_at__isnull=False),
                                   name="payment_paid_has_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_purpose_display()} {self.amount} {self.currency} ({self.get_state_display()})"

    @property
    def booking_reference(self) -> str:
        from kernel.adapters import adapter_for

        if not self.booking_id:
            return ""
        return f"{adapter_for(self.resource_type).booking_model.REFERENCE_PREFIX}-{self.booking_id}"


class Refund(models.Model):
    """Money given back for a payment: to the client's wallet (a `refund` wallet transaction) or to the card, a
    manager's record of a refund made in the provider's dashboard. One key per refund, so each happens once."""

    class Destination(models.TextChoices):
        WALLET = "wallet", _("To the wallet")
        CARD = "card", _("To the card (made in the provider's dashboard)")

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    destination = models.CharField(_("to"), max_length=8, choices=Destination.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=500)
    actor = models.CharField(_("made by"), max_length=200)
    idempotency_key = models.CharField(_("operation key"), max_length=160, unique=True)
    wallet_transaction = models.OneToOneField(WalletTransaction, verbose_name=_("wallet transaction"), null=True,
                                              blank=True, on_delete=models.PROTECT, related_name="refund")
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=Q(destination="card", wallet_transaction__isnull=True)
                                   | Q(destination="wallet", wallet_transaction__isnull=False),
                                   name="refund_wallet_recorded"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency} {self.get_destination_display()}"
