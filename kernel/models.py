"""The kernel's own records. The outbox and the waitlist are apps of their own (kernel/outbox, kernel/waitlist)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """A partner's Idempotency-Key, kept 24 h: the same request gets the same answer."""

    partner = models.ForeignKey("accounts.Partner", on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    resource_type = models.CharField(max_length=20)
    booking_id = models.BigIntegerField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(default=201)
    response_body = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "accounts_idempotencykey"  # the table it had when accounts kept it: no data moved
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key}"
