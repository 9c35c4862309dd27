"""Clients in the admin: found by name, phone or e-mail, filtered, edited (birthday, e-mail, personal discount)
with clear form errors, and their bookings of every kind listed with links; booking pages link to the client."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Client
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.clock import MSK, NOW, TUE, at

LIST = "admin:accounts_client_changelist"


def change_url(client):
    return reverse("admin:accounts_client_change", args=[client.pk])


@pytest.fixture
def olga(book_cabinet, cabinet, item, staff):
    """Ольга: a cabinet booking (with the item) and a whole-day booking, all under her phone."""
    cabinet_booking = book_cabinet(cabinet, at(TUE, 10), equipment=[(item, 1)])
    equipment_booking_create(item=item, start_date=date(2026, 11, 26), client_name="Ольга Иванова",
                             client_phone="+7 999 123-45-67", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    return Client.objects.get(pk=cabinet_booking.client_id)


def listed(response) -> list[str]:
    return [str(client) for client in response.context["cl"].result_list]


def test_a_client_is_found_by_name_by_phone_however_typed_and_by_email(manager_client, olga):
    factories.ClientFactory(name="Пётр Сидоров", phone="+79120001133", email="petr@example.com")
    Client.objects.filter(pk=olga.pk).update(email="olga@example.com")

    assert listed(manager_client.get(reverse(LIST), {"q": "ольга"})) == ["Ольга Иванова"]
    assert listed(manager_client.get(reverse(LIST), {"q": "8 (999) 123-45-67"})) == ["Ольга Иванова"]
    assert listed(manager_client.get(reverse(LIST), {"q": "0001133"})) == ["Пётр Сидоров"]
    assert listed(manager_client.get(reverse(LIST), {"q": "petr@example"})) == ["Пётр Сидоров"]


def test_the_filters_pick_out_bounced_addresses_known_birthdays_and_discounts(manager_client):
    factories.ClientFactory(name="Анна", email="anna@example.com", email_bounced_at=NOW)
    factories.ClientFactory(name="Борис", birthday=date(1980, 1, 2), personal_discount_percent=Decimal("5"))
    factories.ClientFactory(name="Вера")

    assert listed(manager_client.get(reverse(LIST), {"email": "bounced"})) == ["Анна"]
    assert listed(manager_client.get(reverse(LIST), {"birthday": "yes"})) == ["Борис"]
    assert listed(manager_client.get(reverse(LIST), {"discount": "yes"})) == ["Борис"]
    assert listed(manager_client.get(reverse(LIST), {"email": "none"})) == ["Борис", "Вера"]


def test_the_clients_page_lists_their_bookings_of_every_kind_with_links(manager_client, olga):
    page = manager_client.get(change_url(olga)).content.decode()

    cabinet_booking = CabinetBooking.objects.get()
    for booking in (cabinet_booking, *EquipmentBooking.objects.all()):
        admin_page = reverse(f"admin:{booking._meta.app_label}_{booking._meta.model_name}_change",
                             args=[booking.pk])
        assert f'href="{admin_page}"' in page
        assert booking.reference in page


def test_a_manager_edits_the_birthday_email_and_discount(manager_client, olga):
    Client.objects.filter(pk=olga.pk).update(email="old@example.com", email_bounced_at=NOW)

    response = manager_client.post(change_url(olga), {"birthday": "1990-05-17", "email": "new@example.com",
                                                      "personal_discount_percent": "7.5"})

    assert response.status_code == 302
    olga.refresh_from_db()
    assert (olga.birthday, olga.email, olga.personal_discount_percent) == (date(1990, 5, 17), "new@example.com",
                                                                           Decimal("7.5"))
    assert olga.email_bounced_at is None and olga.name == "Ольга Иванова"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("personal_discount_percent", "150", "A personal discount is at most 100%."),
    ("personal_discount_percent", "-1", "A personal discount cannot be negative."),
    ("birthday", "2027-01-01", "The birthday cannot be in the future."),
    ("email", "olga@", "The e-mail address is not valid. Example: name@example.com"),
])
def test_a_value_that_cannot_be_is_a_clear_form_error_and_changes_nothing(manager_client, olga, field, value,
                                                                           message):
    data = {"birthday": "", "email": "", "personal_discount_percent": "", field: value}

    with translation.override("en"):
        response = manager_client.post(change_url(olga), data, headers={"Accept-Language": "en"})
        errors = [str(error) for error in response.context["adminform"].form.errors[field]]

    assert response.status_code == 200
    assert errors == [message]
    olga.refresh_from_db()
    assert (olga.birthday, olga.email, olga.personal_discount_percent) == (None, "", None)


def test_clients_are_neither_added_nor_deleted_in_the_admin(manager_client, olga):
    assert manager_client.get(reverse("admin:accounts_client_add")).status_code == 403
    assert manager_client.get(reverse("admin:accounts_client_delete", args=[olga.pk])).status_code == 403


def test_an_anonymised_client_has_nothing_left_to_edit(manager_client):
    gone = factories.ClientFactory(name="", phone="anonymised-1", anonymised_at=datetime(2027, 3, 1, tzinfo=MSK))

    page = manager_client.get(change_url(gone))

    assert not page.context["adminform"].form.fields
    assert str(gone) in page.content.decode()  # "Anonymised client #N", in the page's language


def test_booking_lists_and_pages_link_to_the_client(manager_client, olga):
    booking = CabinetBooking.objects.get()
    link = f'href="{change_url(olga)}"'

    assert link in manager_client.get(reverse("admin:cabinets_cabinetbooking_changelist")).content.decode()
    assert link in manager_client.get(reverse("admin:equipment_equipmentbooking_changelist")).content.decode()
    assert link in manager_client.get(
        reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])).content.decode()
