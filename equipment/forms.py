"""Admin forms for equipment bookings. They check shape only; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from equipment.models import Item
from equipment.rules import check_dates
from equipment.services import item_catalogue_check
from equipment.turnaround import item_turnaround_check
from kernel.channels import Actor
from kernel.contacts import clean_client_name, normalize_phone
from kernel.errors import BookingError

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Item) -> str:
        notes = [ngettext("%(n)s unit", "%(n)s units", obj.quantity) % {"n": obj.quantity}]
        if obj.permanently_reserved:
            notes.append(_("reserved"))
        if obj.cabinet_id:
            notes.append(_("in %(cabinet)s") % {"cabinet": obj.cabinet})
        return f"{obj.name} ({', '.join(str(n) for n in notes)})"


def bookable_items():
    """Every active item: managers may book reserved and installed ones too; the service decides."""
    return Item.objects.filter(is_active=True).select_related("cabinet").order_by("sort_order", "name")


class ClientFields(forms.Form):
    client_name = forms.CharField(label=_("Client name"), max_length=200)
    client_phone = forms.CharField(label=_("Client phone"), max_length=32,
                                   widget=forms.TextInput(attrs={"placeholder": "+7 999 123-45-67"}))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    # The same pure checks the services make, here so that every mistake shows at once, beside its field.

    def clean_client_name(self):
        return _checked(clean_client_name, self.cleaned_data["client_name"])

    def clean_client_phone(self):
        return _checked(normalize_phone, self.cleaned_data["client_phone"])


def _checked(check, value):
    try:
        return check(value)
    except BookingError as exc:
        raise forms.ValidationError(str(exc.message)) from exc


class DateFields:
    """Start and end dates checked like the service does (not past, not too far, end after start): a pure
    check, so that a past date and a bad phone are reported together."""

    def clean(self):
        data = super().clean()
        start = data.get("start_date")
        if start is not None:
            try:
                check_dates(start_date=start, end_date=data.get("end_date") or start, now=timezone.now())
            except BookingError as exc:
                field = "end_date" if exc.code == "bad_range" else "start_date"
                self.add_error(field, str(exc.message))
        return data


class EquipmentPhoneBookingForm(DateFields, ClientFields):
    """A manager books units of an item for one day or a range of days for a client on the phone."""

    field_order = ["item", "start_date", "end_date", "units", "client_name", "client_phone", "comment"]

    item = ItemChoiceField(label=_("Item"), queryset=Item.objects.none())
    start_date = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT,
                               help_text=_("Leave empty for one day."))
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=1000, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = bookable_items()


class EquipmentMoveForm(DateFields, forms.Form):
    item = ItemChoiceField(label=_("Item"), queryset=Item.objects.none())
    start_date = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Until"), widget=DATE_INPUT)
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = bookable_items()


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)


class ItemForm(forms.ModelForm):
    """An item's page: fewer units or withdrawing it is checked against its upcoming bookings here (read-only);
    the admin's save_model makes the change through item_catalogue_change (cancellations included)."""

    cancel_affected = forms.BooleanField(
        label=_("Cancel affected bookings and notify the clients"), required=False,
        help_text=_("When withdrawing an item with upcoming bookings, cancel them and notify their clients. "
                    "Without this the change is refused and the bookings are listed."))
    turnaround_days = forms.IntegerField(
        label=_("turnaround days"), min_value=0, max_value=30, required=False, initial=0,
        help_text=_("Days a unit stays unavailable after a whole-day booking ends (cleaning, transport, "
                    "sterilisation)."))
    request = None  # bound by the admin's get_form

    class Meta:
        model = Item
        fields = ["name", "category", "description", "quantity", "turnaround_days", "price_per_day", "sort_order",
                  "is_active", "permanently_reserved", "cabinet"]

    def clean_turnaround_days(self):
        return self.cleaned_data.get("turnaround_days") or 0

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.request is not None and not self.errors:
            try:
                item_catalogue_check(item=self.instance, now=timezone.now(),
                                     quantity=data.get("quantity", self.instance.quantity),
                                     is_active=data.get("is_active", True),
                                     cancel_affected=bool(data.get("cancel_affected")))
            except BookingError as exc:
                raise forms.ValidationError(str(exc.message)) from exc
            try:
                item_turnaround_check(item=self.instance, turnaround_days=data.get("turnaround_days") or 0,
                                      quantity=data.get("quantity", self.instance.quantity),
                                      actor=Actor.staff(self.request.user), now=timezone.now())
            except BookingError as exc:
                raise forms.ValidationError(str(exc.message)) from exc
        return data
