"""Approve, reject and cancel from the booking lists: every decision goes through the services and the
manager is told what happened to each selected booking."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cabinets.services import cabinet_booking_approve
from kernel.bookings import Status
from kernel.channels import Actor
from tests.clock import NOW, at

CABINET_LIST = "admin:cabinets_cabinetbooking_changelist"
EQUIPMENT_LIST = "admin:equipment_equipmentbooking_changelist"


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, url_name, action, ids, **extra):
    return client.post(reverse(url_name), {"action": action, "_selected_action": [str(i) for i in ids], **extra},
                       follow=True)


def test_it_approves_a_pending_cabinet_booking_and_its_equipment(manager_client, cabinet, item, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10), equipment=[(item, 1)])

    response = act(manager_client, CABINET_LIST, "approve_selected", [booking.pk])

    booking.refresh_from_db()
    assert booking.status == Status.APPROVED
    assert booking.decided_by == "admin:maria"
    assert booking.equipment_bookings.get().status == Status.APPROVED
    assert f"C-{booking.pk}" in " ".join(texts(response))


def test_it_says_which_bookings_were_refused_and_why(manager_client, cabinet, book_cabinet, staff):
    pending = book_cabinet(cabinet, at(1, 10))
    decided = book_cabinet(cabinet, at(1, 12))
    cabinet_booking_approve(booking=decided, actor=Actor.staff(staff), now=NOW)

    response = act(manager_client, CABINET_LIST, "approve_selected", [pending.pk, decided.pk])

    messages = texts(response)
    assert any(f"C-{pending.pk}" in m and f"C-{decided.pk}" not in m for m in messages)
    refusal = next(m for m in messages if f"Бронь C-{decided.pk} не изменена: Заявка C-{decided.pk} уже" in m)
    assert "manager" in refusal  # the service names who decided it: "already approved (admin:manager)"


def test_reject_asks_for_a_reason_before_changing_anything(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))

    response = act(manager_client, CABINET_LIST, "reject_selected", [booking.pk])

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Status.PENDING


def test_reject_without_a_reason_shows_the_form_again(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))

    response = act(manager_client, CABINET_LIST, "reject_selected", [booking.pk], apply="1", reason="")

    assert response.context["form"].errors["reason"]
    booking.refresh_from_db()
    assert booking.status == Status.PENDING


def test_it_rejects_with_the_reason_the_client_will_see(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))

    act(manager_client, CABINET_LIST, "reject_selected", [booking.pk], apply="1", reason="Кабинет на ремонте")

    booking.refresh_from_db()
    assert booking.status == Status.REJECTED
    assert booking.status_reason == "Кабинет на ремонте"
    assert booking.history.last().reason == "Кабинет на ремонте"
    assert not booking.occupancy.exists()


def test_it_cancels_with_a_reason_and_frees_the_slot(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))

    act(manager_client, CABINET_LIST, "cancel_selected", [booking.pk], apply="1", reason="Клиент позвонил")

    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED and booking.status_reason == "Клиент позвонил"
    assert book_cabinet(cabinet, at(1, 10)).status == Status.PENDING


def test_cancelling_an_already_cancelled_booking_is_refused_with_the_services_message(
        manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))
    act(manager_client, CABINET_LIST, "cancel_selected", [booking.pk], apply="1", reason="first")

    response = act(manager_client, CABINET_LIST, "cancel_selected", [booking.pk], apply="1", reason="again")

    assert any(f"C-{booking.pk}" in m and ("cannot" in m or "не может" in m) for m in texts(response))


def test_it_approves_rejects_and_cancels_equipment_bookings(manager_client, item, book_item):
    day = at(3, 0).date()
    first, second, third = book_item(item, day), book_item(item, day), book_item(item, at(4, 0).date())

    act(manager_client, EQUIPMENT_LIST, "approve_selected", [first.pk])
    act(manager_client, EQUIPMENT_LIST, "reject_selected", [second.pk], apply="1", reason="Нет техника")
    act(manager_client, EQUIPMENT_LIST, "cancel_selected", [third.pk], apply="1", reason="Передумал")

    for booking in (first, second, third):
        booking.refresh_from_db()
    assert (first.status, second.status, third.status) == (Status.APPROVED, Status.REJECTED, Status.CANCELLED)
    assert second.status_reason == "Нет техника"


def test_approving_a_rejected_equipment_booking_is_refused(manager_client, item, book_item):
    booking = book_item(item, at(3, 0).date())
    act(manager_client, EQUIPMENT_LIST, "reject_selected", [booking.pk], apply="1", reason="Нет")

    response = act(manager_client, EQUIPMENT_LIST, "approve_selected", [booking.pk])

    booking.refresh_from_db()
    assert booking.status == Status.REJECTED
    assert any(f"Бронь E-{booking.pk} не изменена" in m for m in texts(response))


def test_the_change_page_offers_the_decisions_the_status_allows(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))
    url = reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])

    page = manager_client.get(url).content.decode()
    assert 'value="approve_selected"' in page and 'value="reject_selected"' in page
    assert reverse("admin:cabinets_cabinetbooking_move", args=[booking.pk]) in page

    act(manager_client, CABINET_LIST, "approve_selected", [booking.pk])
    page = manager_client.get(url).content.decode()
    assert 'value="approve_selected"' not in page and 'value="cancel_selected"' in page


def test_booking_fields_are_read_only_except_the_managers_note(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))
    url = reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])

    manager_client.post(url, {"manager_comment": "перезвонить", "status": "approved", "client_name": "Хакер",
                              "starts_at": "2026-12-01 10:00", "equipment_bookings-TOTAL_FORMS": "0",
                              "equipment_bookings-INITIAL_FORMS": "0", "history-TOTAL_FORMS": "0",
                              "history-INITIAL_FORMS": "0"})

    booking.refresh_from_db()
    assert booking.manager_comment == "перезвонить"
    assert booking.status == Status.PENDING and booking.client_name == "Ольга Иванова"


def test_bookings_cannot_be_deleted_from_the_admin(manager_client, admin_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))

    response = admin_client.post(reverse("admin:cabinets_cabinetbooking_delete", args=[booking.pk]),
                                 {"post": "yes"})

    assert response.status_code == 403
    assert type(booking).objects.filter(pk=booking.pk).exists()


@pytest.mark.parametrize("term", ["999 123", "8 (999) 123-45-67", "@alice", "Ольга", "#{pk}"])
def test_search_finds_a_booking_by_phone_username_name_and_id(manager_client, cabinet, book_cabinet, term):
    wanted = book_cabinet(cabinet, at(1, 10))
    other = book_cabinet(cabinet, at(1, 15), name="Иван Кузнецов")
    type(other).objects.filter(pk=other.pk).update(client_phone="+79120000000", requester=None)

    response = manager_client.get(reverse(CABINET_LIST), {"q": term.format(pk=wanted.pk)})

    found = {b.pk for b in response.context["cl"].result_list}
    assert wanted.pk in found and other.pk not in found


def test_a_bare_number_finds_the_booking_with_that_id(manager_client, cabinet, book_cabinet):
    wanted = book_cabinet(cabinet, at(1, 10))

    response = manager_client.get(reverse(CABINET_LIST), {"q": str(wanted.pk)})

    assert wanted.pk in {b.pk for b in response.context["cl"].result_list}


def test_search_finds_a_partner_booking_by_external_id(manager_client, item, partner):
    from equipment.services import equipment_booking_create_for_partner

    booking, _ = equipment_booking_create_for_partner(
        partner=partner, external_booking_id="crm-42", item=item, start_date=at(2, 0).date(),
        client_name="Анна Белова", client_phone="+79990001122", now=NOW)

    response = manager_client.get(reverse(EQUIPMENT_LIST), {"q": "crm-42"})

    assert [b.pk for b in response.context["cl"].result_list] == [booking.pk]


def test_filters_by_active_status_and_date_range(manager_client, item, book_item):
    early = book_item(item, at(2, 0).date())
    late = book_item(item, at(10, 0).date(), at(12, 0).date())
    cancelled = book_item(item, at(11, 0).date())
    act(manager_client, EQUIPMENT_LIST, "cancel_selected", [cancelled.pk], apply="1", reason="x")

    response = manager_client.get(reverse(EQUIPMENT_LIST), {
        "status": "active", "date_from": at(11, 0).date().isoformat(), "date_to": at(11, 0).date().isoformat()})

    assert [b.pk for b in response.context["cl"].result_list] == [late.pk]
    assert early.pk != late.pk


def test_the_list_shows_coloured_statuses(manager_client, cabinet, book_cabinet):
    book_cabinet(cabinet, at(1, 10))

    page = manager_client.get(reverse(CABINET_LIST)).content.decode()

    assert "booking-status-pending" in page
