"""A price in the partner API: `{"currency", "total", "lines": [{"kind", "label", "amount", "rule_id"?}]}`, amounts as
decimal strings and labels in the request's language (Accept-Language, like the errors)."""

from __future__ import annotations

from rest_framework import serializers

from kernel.pricing.lines import Price
from kernel.pricing.services import booking_price_of

PRICE_EXAMPLE = {
    "currency": "RUB", "total": "2200.00", "lines": [
        {"kind": "base", "label": "УЗИ брюшной полости", "amount": "2500.00"},
        {"kind": "discount", "label": "birthday discount −12 %", "amount": "-300.00", "rule_id": 1}],
}


class PriceLineOut(serializers.Serializer):
    kind = serializers.ChoiceField(["base", "discount", "info", "override", "package"],
                                   help_text="`base` a price of what is booked, `discount` the one discount applied, "
                                             "`info` a note (the daily discount limit is reached), `override` a "
                                             "manager's change of the total, `package` a session of the client's "
                                             "prepaid package (it brings the total to 0).")
    label = serializers.CharField(help_text="What the line is, in the language of Accept-Language.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2,
                                      help_text="A signed decimal string: a discount is negative.")
    rule_id = serializers.IntegerField(required=False, help_text="The discount rule a discount line comes from.")


class PriceOut(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 code.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2,
                                     help_text="A decimal string: the sum of the lines' amounts.")
    lines = PriceLineOut(many=True)


class QuoteOut(serializers.Serializer):
    price = PriceOut()


def price_body(price: Price | None) -> dict | None:
    if price is None:
        return None
    lines = []
    for line in price.lines:
        body = {"kind": line.kind, "label": line.text, "amount": str(line.amount)}
        if line.rule_id is not None:
            body["rule_id"] = line.rule_id
        lines.append(body)
    return {"currency": price.currency, "total": str(price.total), "lines": lines}


def booking_price_body(resource_type: str, booking) -> dict | None:
    """The `price` of a booking's answer: its stored price, or null for a booking made before prices."""
    return price_body(booking_price_of(booking, resource_type=resource_type))
