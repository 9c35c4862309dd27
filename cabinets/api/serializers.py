"""Shapes of the cabinet endpoints: requests checked for shape only, responses documented."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kernel.api import (
    ClinicDateTimeField,
    IsoDateField,
    StrictSerializer,
    check_day_span,
    client_birthday_field,
    client_email_field,
)
from kernel.pricing.api import PriceOut

ID = {"min_value": 1, "max_value": 2_147_483_647}


class DateQuery(StrictSerializer):
    date = IsoDateField(help_text="YYYY-MM-DD")


class RangeQuery(StrictSerializer):
    start_date = IsoDateField()
    end_date = IsoDateField()

    def validate(self, attrs):
        check_day_span(attrs["start_date"], attrs["end_date"])
        return attrs


class EquipmentLine(StrictSerializer):
    item_id = serializers.IntegerField(**ID)
    units = serializers.IntegerField(min_value=1, max_value=1000)


class RepeatRequest(StrictSerializer):
    every_weeks = serializers.IntegerField(min_value=1, max_value=4, help_text="Repeat every 1 to 4 weeks.")
    count = serializers.IntegerField(min_value=1, max_value=26, required=False,
                                     help_text="Number of occurrences (at most 26); or give `until`.")
    until = IsoDateField(required=False, help_text="YYYY-MM-DD, last possible date (inclusive); or give `count`.")
    skip_conflicts = serializers.BooleanField(required=False, default=False,
                                              help_text="Book the free dates and return the others as `skipped` "
                                                        "instead of refusing the whole series.")

    def validate(self, attrs):
        if ("count" in attrs) == ("until" in attrs):
            raise serializers.ValidationError({"count": [_("Give either count or until.")]})
        return attrs


class CabinetBookingRequest(StrictSerializer):
    cabinet_id = serializers.IntegerField(**ID)
    starts_at = ClinicDateTimeField(help_text="ISO 8601; without an offset it is read in the clinic's time zone.")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60,
                                                help_text="A whole number of slots (30, 60, 90, ...).")
    equipment = EquipmentLine(many=True, required=False, default=list,
                              help_text="Units of items for the same time; booked together with the cabinet.")
    client_name = serializers.CharField(max_length=200)
    client_phone = serializers.CharField(max_length=32)
    client_birthday = client_birthday_field()
    client_email = client_email_field()
    external_booking_id = serializers.CharField(max_length=128)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    repeat = RepeatRequest(required=False, help_text="Book a weekly series instead of one booking: every "
                                                     "`every_weeks` weeks at the same local time.")

    def validate_equipment(self, value):
        if len(value) > settings.API_MAX_BULK_ITEMS:
            raise serializers.ValidationError(f"At most {settings.API_MAX_BULK_ITEMS} lines.")
        return value


class CabinetOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    number = serializers.CharField()
    floor = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()


class CabinetsOut(serializers.Serializer):
    cabinets = CabinetOut(many=True)


SLOT_REASONS = ["booked", "held"]
BREAK_REASONS = ["lunch", "closed"]
DAY_REASONS = ["holiday", "closed"]


class SlotOut(serializers.Serializer):
    start = serializers.CharField(help_text="HH:MM, clinic time.")
    end = serializers.CharField(help_text="HH:MM, clinic time.")
    available = serializers.BooleanField()
    state = serializers.ChoiceField(["free", "taken", "held", "past", "too_soon", "too_far"])
    durations = serializers.ListField(child=serializers.IntegerField(),
                                      help_text="Booking lengths in minutes that fit from this slot.")
    reason = serializers.ChoiceField(SLOT_REASONS, allow_null=True,
                                     help_text="Why the slot is not free (booked, held by someone finishing a "
                                               "booking), else null.")


class BreakOut(serializers.Serializer):
    start = serializers.CharField(help_text="HH:MM, clinic time.")
    end = serializers.CharField(help_text="HH:MM, clinic time.")
    reason = serializers.ChoiceField(BREAK_REASONS)


class SlotsOut(serializers.Serializer):
    cabinet_id = serializers.IntegerField()
    date = serializers.DateField()
    closed_reason = serializers.CharField(allow_null=True,
                                          help_text="Why the cabinet has no slots that day (holiday, closure, "
                                                    "day off, inactive), else null.")
    slots = SlotOut(many=True)
    reason = serializers.ChoiceField(DAY_REASONS, allow_null=True,
                                     help_text="Why the day has no slots, in a machine word, else null.")
    breaks = BreakOut(many=True, help_text="Gaps between the day's slots: lunch, or a closure of part of the day.")


class GridDayOut(serializers.Serializer):
    date = serializers.DateField()
    free = serializers.ListField(child=serializers.CharField(), help_text="Start times (HH:MM) of free slots.")


class GridCabinetOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    days = GridDayOut(many=True)


class GridOut(serializers.Serializer):
    cabinets = GridCabinetOut(many=True)


class EquipmentLineOut(serializers.Serializer):
    item_id = serializers.IntegerField()
    item_name = serializers.CharField()
    units = serializers.IntegerField()


class CabinetBookingOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The booking's reference as the clinic says it (`C-17`).")
    external_booking_id = serializers.CharField()
    cabinet_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.ChoiceField(["awaiting_payment", "pending", "approved", "rejected", "cancelled", "completed"])
    payment_status = serializers.ChoiceField(
        ["not_required"], help_text="Whether the clinic waits for a payment before the booking goes on: a partner's "
                                    "booking is paid at the clinic, so always `not_required`.")
    equipment = EquipmentLineOut(many=True)
    client_name = serializers.CharField()
    client_phone = serializers.CharField()
    comment = serializers.CharField()
    series_id = serializers.IntegerField(allow_null=True, help_text="The series this booking belongs to, if any.")
    price = PriceOut(allow_null=True, help_text="What the booking costs (its slots and equipment), stored when it "
                                                "was made (null for a booking made before prices).")
    created_at = serializers.DateTimeField()
