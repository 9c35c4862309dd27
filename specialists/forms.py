"""The manager's phone booking of a service: the service, a specialist or any, the day and time, the client.
The form checks shape only; the view calls the booking service once the form is valid (never in clean())."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cabinets.forms import TIME_INPUT
from equipment.forms import DATE_INPUT, ClientFields
from kernel.clock import clinic_zone
from kernel.scheduling import local_datetime
from specialists.models import Service, Specialist


class ServicePhoneBookingForm(ClientFields):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    specialist = forms.ModelChoiceField(label=_("Specialist"), queryset=Specialist.objects.none(), required=False,
                                        empty_label=_("Any specialist"))
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start"), widget=TIME_INPUT)

    field_order = ["service", "specialist", "day", "start_time", "client_name", "client_phone", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(is_active=True).order_by("category", "sort_order",
                                                                                           "name")
        self.fields["specialist"].queryset = Specialist.objects.filter(is_active=True).order_by("sort_order", "name")

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start_time"):
            starts_at = local_datetime(data["day"], data["start_time"], clinic_zone())
            if starts_at is None:
                raise forms.ValidationError(_("This time does not exist on that day (the clocks change)."))
            data["starts_at"] = starts_at
        return data
