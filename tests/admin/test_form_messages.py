"""A manager's mistakes on the phone-booking forms: all of them at once, each beside its field, in words
that say what is wrong (the lunch break, one unit), and only the decisions that make sense offered."""

from datetime import timedelta

from django.urls import reverse
from django.utils import translation

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_approve
from equipment.forms import ItemChoiceField
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_approve
from kernel.channels import Actor
from tests import factories
from tests.admin.test_phone_booking_and_move import CABINET_ADD, EQUIPMENT_ADD, cabinet_form
from tests.clock import NOW, at

BAD_PHONE = "12-34"


def test_a_past_day_and_a_bad_phone_are_both_reported_on_a_cabinet_booking(manager_client, cabinet):
    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(-1, 10), client_phone=BAD_PHONE))

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["day"] and form.errors["client_phone"]
    assert not CabinetBooking.objects.exists()


def test_a_past_date_and_a_bad_phone_are_both_reported_on_an_equipment_booking(manager_client, item):
    response = manager_client.post(reverse(EQUIPMENT_ADD), {
        "item": item.pk, "start_date": at(-2, 0).date().isoformat(), "units": 1, "client_name": "Нина Орлова",
        "client_phone": BAD_PHONE, "comment": ""})

    form = response.context["form"]
    assert form.errors["start_date"] and form.errors["client_phone"]
    assert not EquipmentBooking.objects.exists()


def test_an_end_before_the_start_is_reported_on_the_end_date(manager_client, item):
    response = manager_client.post(reverse(EQUIPMENT_ADD), {
        "item": item.pk, "start_date": at(3, 0).date().isoformat(), "end_date": at(2, 0).date().isoformat(),
        "units": 1, "client_name": "", "client_phone": "+7 916 555-44-33", "comment": ""})

    form = response.context["form"]
    assert form.errors["end_date"] and form.errors["client_name"]


def test_a_start_during_lunch_says_it_is_the_lunch_break(manager_client, cabinet):
    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(1, 13)))

    errors = " ".join(response.context["form"].errors["start_time"])
    assert errors == "13:00 — обеденный перерыв (13:00–14:00) в кабинете «Кабинет 1»."
    assert "not the start of a slot" not in response.content.decode()
    assert not CabinetBooking.objects.exists()


def test_no_show_is_offered_only_once_the_booking_has_started(manager_client, cabinet, book_cabinet, time_machine):
    booking = book_cabinet(cabinet, at(0, 11))
    from kernel.channels import Actor

    cabinet_booking_approve(booking=booking, actor=Actor.system(), now=NOW)
    page = reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])

    before = manager_client.get(page)
    time_machine.move_to(at(0, 11, 15), tick=False)
    after = manager_client.get(page)

    assert "no_show_selected" not in dict(before.context["decision_actions"])
    assert "cancel_selected" in dict(before.context["decision_actions"])
    assert "no_show_selected" in dict(after.context["decision_actions"])


def test_an_equipment_booking_is_not_a_no_show_before_its_first_day(manager_client, item, book_item, time_machine):
    booking = book_item(item, at(1, 0).date())

    equipment_booking_approve(booking=booking, actor=Actor.system(), now=NOW)
    page = reverse("admin:equipment_equipmentbooking_change", args=[booking.pk])

    before = manager_client.get(page)
    time_machine.move_to(NOW + timedelta(days=1, hours=2), tick=False)
    after = manager_client.get(page)

    assert "no_show_selected" not in dict(before.context["decision_actions"])
    assert "no_show_selected" in dict(after.context["decision_actions"])


def test_units_are_counted_in_words_with_plural_forms(db):
    field = ItemChoiceField(queryset=None)
    labels = {n: factories.ItemFactory(name=f"Аппарат {n}", quantity=n) for n in (1, 2, 5, 21)}

    with translation.override("en"):
        assert field.label_from_instance(labels[1]) == "Аппарат 1 (1 unit)"
        assert field.label_from_instance(labels[2]) == "Аппарат 2 (2 units)"
    with translation.override("ru"):
        assert field.label_from_instance(labels[1]) == "Аппарат 1 (1 единица)"
        assert field.label_from_instance(labels[2]) == "Аппарат 2 (2 единицы)"
        assert field.label_from_instance(labels[5]) == "Аппарат 5 (5 единиц)"
        assert field.label_from_instance(labels[21]) == "Аппарат 21 (21 единица)"
