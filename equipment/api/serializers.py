"""Shapes of the equipment endpoints. Requests are checked for shape only; the services check the rules.
Response serializers document the answers; bulk answers are built as plain dicts."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kernel.api import IsoDateField, StrictSerializer, check_day_span, client_birthday_field, client_email_field
from kernel.pricing.api import PriceOut

ID = {"min_value": 1, "max_value": 2_147_483_647}
ITEM_NAME = {"max_length": 200}
EXTERNAL_ID = {"max_length": 128}


# --- Requests -------------------------------------------------------------------------------------


class DateQuery(StrictSerializer):
    date = IsoDateField(help_text="YYYY-MM-DD")


class DevicesQuery(StrictSerializer):
    date = IsoDateField(required=False, help_text="YYYY-MM-DD; today (clinic time) when omitted.")
    include_reserved = serializers.BooleanField(required=False, default=False,
                                                help_text="Also list permanently reserved items.")


class BulkAvailabilityRequest(StrictSerializer):
    items = serializers.ListField(child=serializers.CharField(**ITEM_NAME, allow_blank=True), allow_empty=False,
                                  max_length=settings.API_MAX_BULK_ITEMS,
                                  help_text="Item names, at most 100. Unknown names are listed in unknown_items.")
    dates = serializers.ListField(child=IsoDateField(), required=False, allow_empty=False,
                                  max_length=settings.API_MAX_BULK_DAYS, help_text="At most 90 dates.")
    start_date = IsoDateField(required=False, help_text="Instead of dates: a range of at most 90 days.")
    end_date = IsoDateField(required=False)

    def validate(self, attrs):
        has_dates = "dates" in attrs
        has_range = "start_date" in attrs or "end_date" in attrs
        if has_dates == has_range:
            raise serializers.ValidationError(_("Give either dates or start_date and end_date."))
        if has_range:
            if "start_date" not in attrs or "end_date" not in attrs:
                raise serializers.ValidationError(_("start_date and end_date go together."))
            check_day_span(attrs["start_date"], attrs["end_date"])
        return attrs


class ItemsAvailabilityRequest(StrictSerializer):
    start_date = IsoDateField()
    end_date = IsoDateField()
    item_ids = serializers.ListField(child=serializers.IntegerField(**ID), required=False,
                                     max_length=settings.API_MAX_BULK_ITEMS, help_text="Only these items.")
    cabinet_id = serializers.IntegerField(**ID, required=False, help_text="Only items installed in this cabinet.")
    category = serializers.CharField(max_length=100, required=False, help_text="Only items of this category.")

    def validate(self, attrs):
        check_day_span(attrs["start_date"], attrs["end_date"])
        return attrs


class BookDeviceRequest(StrictSerializer):
    device_id = serializers.IntegerField(min_value=0, max_value=ID["max_value"], required=False,
                                         help_text="The item id; when 0 or absent, device_name is used.")
    device_name = serializers.CharField(**ITEM_NAME, required=False)
    date = IsoDateField(help_text="The day to book (whole day, one unit).")
    start_time = serializers.RegexField(r"^\d{2}:\d{2}$", required=False,
                                        help_text="Accepted for old clients and ignored: equipment is booked by "
                                                  "whole days.")
    end_time = serializers.RegexField(r"^\d{2}:\d{2}$", required=False, help_text="Accepted and ignored.")
    external_booking_id = serializers.CharField(**EXTERNAL_ID)
    client_name = serializers.CharField(max_length=200)
    client_phone = serializers.CharField(max_length=32)
    client_birthday = client_birthday_field()
    client_email = client_email_field()

    def validate(self, attrs):
        if not attrs.get("device_id") and not attrs.get("device_name"):
            raise serializers.ValidationError({"device_id": [_("device_id or device_name is required.")]})
        return attrs


class EquipmentBookingRequest(StrictSerializer):
    item_id = serializers.IntegerField(**ID)
    start_date = IsoDateField()
    end_date = IsoDateField()
    units = serializers.IntegerField(min_value=1, max_value=1000)
    client_name = serializers.CharField(max_length=200)
    client_phone = serializers.CharField(max_length=32)
    client_birthday = client_birthday_field()
    client_email = client_email_field()
    external_booking_id = serializers.CharField(**EXTERNAL_ID)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


# --- Responses (documentation of the plain dicts the views build) ---------------------------------


class ItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    total_quantity = serializers.IntegerField()
    cabinet_id = serializers.IntegerField(required=False, help_text="Present when the item is installed in a "
                                                                    "cabinet.")
    sort_order = serializers.IntegerField()
    is_active = serializers.BooleanField()
    permanent_reserved = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ItemsOut(serializers.Serializer):
    items = ItemOut(many=True)


AVAILABILITY_REASONS = ["booked", "maintenance", "turnaround", "reserved", "installed_in_cabinet", "inactive"]


class AvailabilityOut(serializers.Serializer):
    available = serializers.BooleanField(help_text="A partner can book one unit of it for that whole day.")
    booked_count = serializers.IntegerField(help_text="Peak number of units in use that day.")
    total = serializers.IntegerField(help_text="Units the clinic has.")
    blocked_count = serializers.IntegerField(
        help_text="Units not booked but unavailable that day: turnaround after a booking, or maintenance.")
    reason = serializers.ChoiceField(
        AVAILABILITY_REASONS, allow_null=True,
        help_text="Why the day is not available, else null.")


class BulkResultOut(AvailabilityOut):
    item_name = serializers.CharField()
    date = serializers.DateField()


class BulkAvailabilityOut(serializers.Serializer):
    results = BulkResultOut(many=True)
    unknown_items = serializers.ListField(child=serializers.CharField(), help_text="Names that match no item.")


class DayAvailabilityOut(serializers.Serializer):
    date = serializers.DateField()
    available = serializers.BooleanField()
    reason = serializers.ChoiceField(["reserved", "booked", "installed_in_cabinet"], required=False,
                                     help_text="Why the day is not available.")


class ItemAvailabilityOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cabinet_id = serializers.IntegerField(required=False)
    availability = DayAvailabilityOut(many=True)


class PeriodOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class ItemsAvailabilityOut(serializers.Serializer):
    items = ItemAvailabilityOut(many=True)
    period = PeriodOut()


class DeviceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(required=False)
    available = serializers.BooleanField()
    cabinet_id = serializers.IntegerField(required=False)
    permanent_reserved = serializers.BooleanField()


class DevicesOut(serializers.Serializer):
    devices = DeviceOut(many=True)


class BookDeviceOut(serializers.Serializer):
    success = serializers.BooleanField()
    booking_id = serializers.IntegerField()


class SuccessOut(serializers.Serializer):
    success = serializers.BooleanField()


class BookDeviceErrorOut(serializers.Serializer):
    success = serializers.BooleanField(help_text="Always false; kept for clients of the old API.")
    error = serializers.CharField()
    code = serializers.CharField()
    details = serializers.DictField()


class EquipmentBookingOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The booking's reference as the clinic says it (`E-42`).")
    external_booking_id = serializers.CharField()
    item_id = serializers.IntegerField()
    item_name = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    units = serializers.IntegerField()
    status = serializers.ChoiceField(["awaiting_payment", "pending", "approved", "rejected", "cancelled", "completed"])
    payment_status = serializers.ChoiceField(
        ["not_required"], help_text="Whether the clinic waits for a payment before the booking goes on: a partner's "
                                    "booking is paid at the clinic, so always `not_required`.")
    client_name = serializers.CharField()
    client_phone = serializers.CharField()
    comment = serializers.CharField()
    price = PriceOut(allow_null=True, help_text="What the booking costs, stored when it was made (null for a "
                                                "booking made before prices).")
    created_at = serializers.DateTimeField()
