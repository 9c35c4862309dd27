"""Admin forms for cabinets: phone bookings, moves and schedule edits. They check shape; every rule is checked
by the service the form calls, and a refusal comes back as a form error."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import TelegramAccount
from booking_site.channels import Actor
from booking_site.errors import BookingError
from booking_site.scheduling import local_datetime
from cabinets.availability import clinic_zone
from cabinets.models import Cabinet, Closure, Holiday, WeeklySchedule
from cabinets.services import cabinet_deactivate, closure_save, holiday_save, weekly_schedule_save
from equipment.forms import DATE_INPUT, ClientFields, ItemChoiceField, bookable_items

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
                lunch = lunch_break(data["cabinet"], data["day"], data["start_time"])
                if lunch is not None:
                    self.add_error("start_time", _(
                        "%(time)s is during the lunch break (%(start)s–%(end)s) in %(cabinet)s.") % {
                        "time": f"{data['start_time']:%H:%M}", "start": f"{lunch[0]:%H:%M}",
                        "end": f"{lunch[1]:%H:%M}", "cabinet": data["cabinet"].name})
        return data


def lunch_break(cabinet: Cabinet, day: date, start: time) -> tuple[time, time] | None:
    """The cabinet's lunch break that day if `start` falls in it (its weekly hours; read only)."""
    schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=day.weekday(), is_day_off=False).first()
    if schedule is None or schedule.lunch_start is None or schedule.lunch_end is None:
        return None
    if schedule.lunch_start <= start < schedule.lunch_end:
        return schedule.lunch_start, schedule.lunch_end
    return None


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
    """A model form whose save is a service call made during validation, so a refusal (for instance the
    bookings a change would strand) is shown on the form. The admin then keeps `applied` as the result."""

    cancel_affected = forms.BooleanField(label=_("Cancel affected bookings and notify the clients"),
                                         required=False, help_text=CANCEL_AFFECTED_HELP)

    request = None  # bound by the admin's get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applied = None
        self.affected_bookings = []

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.request is None:
            return
        try:
            self.applied = self.apply(actor=Actor.staff(self.request.user), now=timezone.now(),
                                      cancel_affected=self.cleaned_data.get("cancel_affected", False))
        except BookingError as exc:
            self.add_error(None, str(exc.message))
            bookings = exc.details.get("bookings") or []
            if bookings:
                self.affected_bookings = bookings
                self.add_error("cancel_affected", ngettext(
                    "Tick this to cancel the %(n)s affected booking and notify its client.",
                    "Tick this to cancel the %(n)s affected bookings and notify their clients.",
                    len(bookings)) % {"n": len(bookings)})

    def apply(self, *, actor, now: datetime, cancel_affected: bool):  # pragma: no cover - abstract
        raise NotImplementedError


class HolidayForm(ServiceModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": DATE_INPUT}

    def validate_unique(self):
        # holiday_save updates the holiday of that date if there is one.
        pass

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

    def apply(self, *, actor, now, cancel_affected):
        data = self.cleaned_data
        return closure_save(cabinet=data["cabinet"], day=data["date"], start_time=data["start_time"],
                            end_time=data["end_time"], reason=data["reason"], actor=actor, now=now,
                            cancel_affected=cancel_affected,
                            closure=Closure.objects.get(pk=self.instance.pk) if self.instance.pk else None)


class WeeklyScheduleForm(forms.ModelForm):
    class Meta:
        model = WeeklySchedule
        fields = ["weekday", "is_day_off", "opens", "closes", "slot_minutes", "lunch_start", "lunch_end"]
        widgets = {"opens": TIME_INPUT, "closes": TIME_INPUT, "lunch_start": TIME_INPUT, "lunch_end": TIME_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applied = None
        if self.instance.pk:
            # A row is one weekday; another weekday is another row.
            self.fields["weekday"].disabled = True


class WeeklyScheduleFormSet(forms.BaseInlineFormSet):
    """The weekdays of an existing cabinet are saved by weekly_schedule_save during validation, all or none,
    with the cabinet form's "cancel affected" choice; a refusal lists the bookings above the rows."""

    request = None  # bound by the inline's get_formset

    def clean(self):
        super().clean()
        request = self.request
        if any(self.errors) or request is None or self.instance.pk is None:
            return
        if not getattr(request, "cabinet_form_valid", False):
            return  # the cabinet form itself has errors: change nothing yet
        actor, now = Actor.staff(request.user), timezone.now()
        changed = [form for form in self.forms if form.has_changed() and form.cleaned_data]
        try:
            with transaction.atomic():
                for form in changed:
                    data = form.cleaned_data
                    form.applied = weekly_schedule_save(
                        cabinet=self.instance, weekday=data["weekday"], actor=actor, now=now,
                        is_day_off=data["is_day_off"], opens=data["opens"], closes=data["closes"],
                        slot_minutes=data["slot_minutes"], lunch_start=data["lunch_start"],
                        lunch_end=data["lunch_end"], cancel_affected=bool(request.POST.get("cancel_affected")),
                    )
        except BookingError as exc:
            for form in changed:
                form.applied = None
            raise forms.ValidationError(str(exc.message)) from exc


class CabinetForm(forms.ModelForm):
    cancel_affected = forms.BooleanField(label=_("Cancel affected bookings and notify the clients"),
                                         required=False, help_text=CANCEL_AFFECTED_HELP)
    request = None  # bound by the admin's get_form

    class Meta:
        model = Cabinet
        fields = ["name", "number", "floor", "capacity", "address", "description", "sort_order", "is_active"]

    def clean(self):
        data = super().clean()
        # Taking a cabinet out of service goes through the service: upcoming bookings are listed or cancelled.
        was_active = self.instance.pk and Cabinet.objects.filter(pk=self.instance.pk, is_active=True).exists()
        if was_active and data.get("is_active") is False and self.request is not None:
            try:
                cabinet_deactivate(cabinet=self.instance, actor=Actor.staff(self.request.user), now=timezone.now(),
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
