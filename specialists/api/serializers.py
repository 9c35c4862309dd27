"""Shapes of the services endpoints: requests checked for shape only, responses documented."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cabinets.api.serializers import ID, EquipmentLineOut
from kernel.api import ClinicDateTimeField, IsoDateField, StrictSerializer, client_birthday_field, client_email_field
from kernel.pricing.api import PriceOut
from specialists.availability import DAY_REASONS, MAX_DAYS


class AvailabilityQuery(StrictSerializer):
    """`date`, or `from` and `to` (at most 31 days); `from` is a Python keyword, hence get_fields."""

    date = IsoDateField(required=False, help_text="YYYY-MM-DD: one day.")
    specialist_id = serializers.IntegerField(required=False, **ID)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = IsoDateField(required=False, help_text="YYYY-MM-DD: the first day of a range.")
        fields["to"] = IsoDateField(required=False, help_text="YYYY-MM-DD: the last day of a range.")
        return fields

    def validate(self, attrs):
        has_day, has_from, has_to = "date" in attrs, "from" in attrs, "to" in attrs
        if has_day and (has_from or has_to):
            raise serializers.ValidationError({"date": [_("Give either date or from and to.")]})
        if not has_day and not (has_from and has_to):
            missing = "date" if not (has_from or has_to) else ("to" if has_from else "from")
            raise serializers.ValidationError({missing: [_("This field is required.")]})
        if has_day:
            attrs["from"] = attrs["to"] = attrs.pop("date")
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": [_("to must not be before from.")]})
        if (attrs["to"] - attrs["from"]).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"to": [_("At most %(n)s days per request.") % {"n": MAX_DAYS}]})
        return attrs


class AppointmentRequest(StrictSerializer):
    service_id = serializers.IntegerField(**ID)
    specialist_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                             help_text="Null or absent: any specialist who performs the service.",
                                             **ID)
    starts_at = ClinicDateTimeField(help_text="ISO 8601; without an offset it is read in the clinic's time zone.")
    cabinet_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="Null or absent: the first allowed cabinet that is free.", **ID)
    client_name = serializers.CharField(max_length=200)
    client_phone = serializers.CharField(max_length=32)
    client_birthday = client_birthday_field()
    client_email = client_email_field()
    external_booking_id = serializers.CharField(max_length=128)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ServiceEquipmentOut(serializers.Serializer):
    item_id = serializers.IntegerField()
    units = serializers.IntegerField()


class ServiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True,
                                     help_text="A decimal string in `currency`, or null when not priced.")
    currency = serializers.CharField(help_text="ISO 4217 code of the clinic's prices.")
    specialist_ids = serializers.ListField(child=serializers.IntegerField())
    cabinet_ids = serializers.ListField(child=serializers.IntegerField(),
                                        help_text="Where it can take place; every active cabinet when the service "
                                                  "lists none.")
    equipment = ServiceEquipmentOut(many=True, help_text="Reserved with every appointment for its whole length.")


class ServicesOut(serializers.Serializer):
    services = ServiceOut(many=True)


class SpecialistOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    service_ids = serializers.ListField(child=serializers.IntegerField())


class SpecialistsOut(serializers.Serializer):
    specialists = SpecialistOut(many=True)


class ServiceSlotOut(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    specialist_ids = serializers.ListField(child=serializers.IntegerField(),
                                           help_text="The specialists free for the whole length, by id.")


class ServiceDayOut(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.ChoiceField(list(DAY_REASONS), allow_null=True,
                                     help_text="Why the day has no time (holiday, closed, day_off, no_capacity, "
                                               "booked), else null.")
    slots = ServiceSlotOut(many=True)


class ServiceAvailabilityOut(serializers.Serializer):
    service_id = serializers.IntegerField()
    days = ServiceDayOut(many=True)


class AppointmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    external_booking_id = serializers.CharField()
    status = serializers.ChoiceField(["awaiting_payment", "pending", "approved", "rejected", "cancelled", "completed",
                                      "no_show"])
    payment_status = serializers.ChoiceField(
        ["not_required"], help_text="Whether the clinic waits for a payment before the booking goes on: a partner's "
                                    "booking is paid at the clinic, so always `not_required`.")
    service_id = serializers.IntegerField()
    specialist_id = serializers.IntegerField()
    cabinet_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    equipment = EquipmentLineOut(many=True)
    client_name = serializers.CharField()
    client_phone = serializers.CharField()
    comment = serializers.CharField()
    price = PriceOut(allow_null=True, help_text="What the appointment costs (its service's price), stored when it "
                                                "was made (null for one made before prices).")
    created_at = serializers.DateTimeField()
