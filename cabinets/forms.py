"""Admin forms for cabinets: phone bookings, moves and schedule edits. They check shape, and the schedule and
catalogue forms run the services' pure checks (read-only) so a refusal comes back as a form error. They never
act: the admin calls the service in save_model / save_formset, after every form and formset is valid, because
the admin commits its transaction even when the page shows a validation error."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import TelegramAccount
from cabinets.models import Cabinet, Closure, Holiday, WeeklySchedule
from cabinets.rules import check_lunch_break
from cabinets.services import (
    cabinet_deactivate_check,
    closure_check,
    closure_save,
    holiday_check,
    holiday_save,
    weekly_schedule_check,
)
from equipment.forms import DATE_INPUT, ClientFields, ItemChoiceField, bookable_items
from kernel.clock import clinic_zone
from kernel.errors import BookingError
from kernel.scheduling import local_datetime

TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
CANCEL_AFFECTED_HELP = _("If the change strands existing bookings, cancel them and notify their clients. "
                         "Without this the change is refused and the affected bookings are listed.")


def duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(m)s min") % {"m": rest}


def duration_choices(step: int = 30) -> list[tuple[int, str]]:
    return [(step * n, duration_label(step * n)) for n in range(1, settings.CABINET_MAX_SLOTS + 1)]


def active_cabinets():
    return Cabinet.objects.filter(is_active=True).order_by("sort_order", "name")


class SlotFields(forms.Form):
    cabinet = forms.ModelChoiceField(label=_("Cabinet"), queryset=Cabinet.objects.none())
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start"), widget=TIME_INPUT)
    duration_minutes = forms.TypedChoiceField(label=_("Duration"), coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cabinet"].queryset = active_cabinets()
        self.fields["duration_minutes"].choices = duration_choices()

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start_time"):
            starts_at = local_datetime(data["day"], data["start_time"], clinic_zone())
            if starts_at is None:
                raise forms.ValidationError(_("This time does not exist on that day (the clocks change)."))
            data["starts_at"] = starts_at
            # Pure checks the service makes too, here so that every mistake shows at once beside its field.
            now = timezone.now()
            if starts_at < now:
                past_day = data["day"] < timezone.localtime(now, clinic_zone()).date()
                self.add_error("day" if past_day else "start_time", _("This time has already passed."))
            elif data.get("cabinet") is not None:
                try:
                    check_lunch_break(cabinet=data["cabinet"], starts_at=starts_at,
                                      duration_minutes=data.get("duration_minutes"))
                except BookingError as exc:
                    self.add_error("start_time", str(exc.message))
        return data


class CabinetPhoneBookingForm(ClientFields, SlotFields):
    """A manager books a cabinet (and optional equipment) for a client on the phone."""

    field_order = ["cabinet", "day", "start_time", "duration_minutes", "client_name", "client_phone", "comment"]


class EquipmentLineForm(forms.Form):
    item = ItemChoiceField(label=_("Item"), queryset=None, required=False)
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=1000, initial=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = bookable_items()

    def clean(self):
        data = super().clean()
        if data.get("item") and not data.get("units"):
            self.add_error("units", _("How many units?"))
        return data


EquipmentLines = forms.formset_factory(EquipmentLineForm, extra=3, max_num=10)


def equipment_lines(formset) -> list[tuple]:
    return [(f.cleaned_data["item"], f.cleaned_data["units"]) for f in formset
            if f.cleaned_data.get("item")]


class CabinetMoveForm(SlotFields):
    pass


class DayForm(forms.Form):
    date = forms.DateField(required=False)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is not None and not date(2000, 1, 1) <= day <= date(2999, 12, 31):
            raise forms.ValidationError(_("Choose a date between 2000 and 2999."))
        return day


# --- Schedules, holidays and closures through the services ---------------------------------------------


class ServiceModelForm(forms.ModelForm):
    """A model form saved by a service. Validation runs the service's pure check, so a refusal (for instance
    the bookings a change would strand) is shown on the form; the admin's save_model then calls `apply`."""

    cancel_affected = forms.BooleanField(label=_("Cancel affected bookings and notify the clients"),
                                         required=False, help_text=CANCEL_AFFECTED_HELP)

    request = None  # bound by the admin's get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.affected_bookings = []

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.check(now=timezone.now(), cancel_affected=self.cleaned_data.get("cancel_affected", False))
        except BookingError as exc:
            self.add_error(None, str(exc.message))
            bookings = exc.details.get("bookings") or []
            if bookings:
                self.affected_bookings = bookings
                self.add_error("cancel_affected", ngettext(
                    "Tick this to cancel the %(n)s affected booking and notify its client.",
                    "Tick this to cancel the %(n)s affected bookings and notify their clients.",
                    len(bookings)) % {"n": len(bookings)})

    def check(self, *, now: datetime, cancel_affected: bool) -> None:  # pragma: no cover - abstract
        """The service's pure check: may read, never writes."""
        raise NotImplementedError

    def apply(self, *, actor, now: datetime, cancel_affected: bool):  # pragma: no cover - abstract
        """The service call, made by the admin's save_model."""
        raise NotImplementedError


class HolidayForm(ServiceModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": DATE_INPUT}

    def validate_unique(self):
        # holiday_save updates the holiday of that date if there is one.
        pass

    def check(self, *, now, cancel_affected):
        holiday_check(day=self.cleaned_data["date"], name=self.cleaned_data["name"], now=now,
                      cancel_affected=cancel_affected)

    def apply(self, *, actor, now, cancel_affected):
        data = self.cleaned_data
        with transaction.atomic():
            holiday = holiday_save(day=data["date"], name=data["name"], actor=actor, now=now,
                                   cancel_affected=cancel_affected)
            # A new date moves the holiday: the old day opens again (the form's instance already carries the
            # new date, so compare with what is stored).
            if self.instance.pk:
                Holiday.objects.filter(pk=self.instance.pk).exclude(date=data["date"]).delete()
        return holiday


class ClosureForm(ServiceModelForm):
    class Meta:
        model = Closure
        fields = ["cabinet", "date", "start_time", "end_time", "reason"]
        widgets = {"date": DATE_INPUT, "start_time": TIME_INPUT, "end_time": TIME_INPUT}

    def _stored(self) -> Closure | None:
        return Closure.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None

    def check(self, *, now, cancel_affected):
        data = self.cleaned_data
        closure_check(cabinet=data["cabinet"], day=data["date"], start_time=data["start_time"],
                      end_time=data["end_time"], reason=data["reason"], now=now, cancel_affected=cancel_affected,
                      closure=self._stored())

    def apply(self, *, actor, now, cancel_affected):
        data = self.cleaned_data
        return closure_save(cabinet=data["cabinet"], day=data["date"], start_time=data["start_time"],
                            end_time=data["end_time"], reason=data["reason"], actor=actor, now=now,
                            cancel_affected=cancel_affected,
                            closure=self._stored())


class WeeklyScheduleForm(forms.ModelForm):
    class Meta:
        model = WeeklySchedule
        fields = ["weekday", "is_day_off", "opens", "closes", "slot_minutes", "lunch_start", "lunch_end"]
        widgets = {"opens": TIME_INPUT, "closes": TIME_INPUT, "lunch_start": TIME_INPUT, "lunch_end": TIME_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A row is one weekday; another weekday is another row.
            self.fields["weekday"].disabled = True

    def hours(self) -> dict:
        """The row's hours as weekly_schedule_check and weekly_schedule_save take them."""
        data = self.cleaned_data
        return {"weekday": data["weekday"], "is_day_off": data["is_day_off"], "opens": data["opens"],
                "closes": data["closes"], "slot_minutes": data["slot_minutes"], "lunch_start": data["lunch_start"],
                "lunch_end": data["lunch_end"]}


def cancel_affected_chosen(request) -> bool:
    """The cabinet form's "cancel affected" box, which the weekday rows follow too."""
    return bool(request is not None and request.POST.get("cancel_affected"))


class WeeklyScheduleFormSet(forms.BaseInlineFormSet):
    """The weekdays of an existing cabinet are checked against its bookings here (read-only), with the cabinet
    form's "cancel affected" choice; a refusal lists the bookings above the rows. The admin's save_formset
    saves them through weekly_schedule_save."""

    request = None  # bound by the inline's get_formset

    def changed_rows(self) -> list[WeeklyScheduleForm]:
        return [form for form in self.forms if form.has_changed() and form.cleaned_data]

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        now = timezone.now()
        for form in self.changed_rows():
            try:
                weekly_schedule_check(cabinet=self.instance, now=now, cancel_affected=cancel_affected_chosen(
                    self.request), **form.hours())
            except BookingError as exc:
                raise forms.ValidationError(str(exc.message)) from exc


class CabinetForm(forms.ModelForm):
    cancel_affected = forms.BooleanField(label=_("Cancel affected bookings and notify the clients"),
                                         required=False, help_text=CANCEL_AFFECTED_HELP)
    request = None  # bound by the admin's get_form

    class Meta:
        model = Cabinet
        fields = ["name", "number", "floor", "capacity", "address", "description", "price_per_slot", "sort_order",
                  "is_active"]

    def deactivates(self) -> bool:
        """This change takes a cabinet that is in service out of it."""
        was_active = self.instance.pk and Cabinet.objects.filter(pk=self.instance.pk, is_active=True).exists()
        return bool(was_active) and self.cleaned_data.get("is_active") is False

    def clean(self):
        data = super().clean()
        # Taking a cabinet out of service strands its upcoming bookings: listed here, cancelled (if chosen) by
        # cabinet_deactivate when the admin saves.
        if self.deactivates():
            try:
                cabinet_deactivate_check(cabinet=Cabinet.objects.get(pk=self.instance.pk), now=timezone.now(),
                                         cancel_affected=bool(data.get("cancel_affected")))
            except BookingError as exc:
                raise forms.ValidationError(str(exc.message)) from exc
        return data


class CabinetSeriesForm(CabinetPhoneBookingForm):
    """A manager books a weekly series: the first date and time, how often, and how many times or until when."""

    every_weeks = forms.TypedChoiceField(label=_("Repeat"), coerce=int, initial=1, choices=())
    count = forms.IntegerField(label=_("Number of dates"), min_value=1, max_value=26, required=False)
    until = forms.DateField(label=_("Until"), widget=DATE_INPUT, required=False,
                            help_text=_("Give either the number of dates or the last date."))
    skip_conflicts = forms.BooleanField(
        label=_("Skip dates that are taken"), required=False,
        help_text=_("Book the free dates and list the others. Without this the series is booked whole or not "
                    "at all."))
    telegram_id = forms.IntegerField(
        label=_("Client's Telegram id"), required=False, min_value=1,
        help_text=_("Optional: the client then sees the series in the cabinet bot's My bookings."))

    field_order = ["cabinet", "day", "start_time", "duration_minutes", "every_weeks", "count", "until",
                   "skip_conflicts", "client_name", "client_phone", "telegram_id", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["every_weeks"].choices = [
            (n, ngettext("every week", "every %(n)s weeks", n) % {"n": n}) for n in range(1, 5)]

    def clean(self):
        data = super().clean()
        if data.get("count") is None and data.get("until") is None:
            self.add_error("count", _("Give either the number of dates or the last date."))
        elif data.get("count") is not None and data.get("until") is not None:
            self.add_error("until", _("Give either the number of dates or the last date, not both."))
        if data.get("telegram_id"):
            data["requester"] = TelegramAccount.objects.filter(telegram_id=data["telegram_id"]).first()
            if data["requester"] is None:
                self.add_error("telegram_id", _("Nobody with this Telegram id has written to the bots yet."))
        return data


class SeriesCancelForm(forms.Form):
    from_date = forms.DateField(label=_("Cancel from"), widget=DATE_INPUT, required=False,
                                help_text=_("Every date of the series from this day on that has not started; "
                                            "empty = all of them."))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
