"""A client's wallet is a ledger: one row per movement of money, never edited or deleted. The balance is the sum
of the client's rows (payments/wallets.py), never a stored counter that could drift from them.

A row may name the booking it is about generically, `resource_type` + `booking_id`, as a waitlist entry names
its resource: payments know no resource's model."""

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
