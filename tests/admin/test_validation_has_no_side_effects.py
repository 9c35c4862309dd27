"""The admin commits its transaction even when the page shows a validation error, so validation only checks:
a deactivation or fewer units asked for on a page that fails validation elsewhere leaves nothing behind (no
change, no cancellation, no outbox event, no notification); the same page without the error does it all."""

from django.urls import reverse

from cabinets.models import Cabinet, WeeklySchedule
from equipment.models import Item
from integrations.models import Delivery
from kernel.bookings import Status
from kernel.outbox.models import Event
from tests import factories
from tests.admin.test_catalogue_changes import item_data
from tests.admin.test_schedules import schedule_formset
from tests.clock import at


def traces() -> tuple[int, int]:
    return Event.objects.count(), Delivery.objects.count()


def test_taking_a_cabinet_out_of_service_on_a_page_with_a_bad_weekday_row_changes_nothing(
        manager_client, cabinet, book_cabinet, django_capture_on_commit_callbacks):
    booking = book_cabinet(cabinet, at(2, 10))
    url = reverse("admin:cabinets_cabinet_change", args=[cabinet.pk])
    before = traces()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = manager_client.post(url, schedule_formset(cabinet, {0: {"opens": "half past nine"}},
                                                             is_active="", cancel_affected="on"))

    assert response.status_code == 200 and response.context["inline_admin_formsets"][0].formset.errors[0]
    booking.refresh_from_db()
    assert Cabinet.objects.get(pk=cabinet.pk).is_active and booking.status == Status.PENDING
    assert (traces(), callbacks) == (before, [])


def test_taking_a_cabinet_out_of_service_on_a_valid_page_cancels_its_bookings(
        manager_client, cabinet, book_cabinet, django_capture_on_commit_callbacks):
    booking = book_cabinet(cabinet, at(2, 10))
    url = reverse("admin:cabinets_cabinet_change", args=[cabinet.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, schedule_formset(cabinet, {0: {"opens": "10:00"}},
                                                             is_active="", cancel_affected="on"))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert not Cabinet.objects.get(pk=cabinet.pk).is_active and booking.status == Status.CANCELLED
    assert WeeklySchedule.objects.get(cabinet=cabinet, weekday=0).opens.hour == 10
    assert Event.objects.filter(booking_id=booking.pk, topic=Event.Topic.CANCELLED).exists()


def test_withdrawing_an_item_under_a_name_already_taken_changes_nothing(
        manager_client, item, book_item, django_capture_on_commit_callbacks):
    factories.ItemFactory(name="ЭКГ-аппарат")
    booking = book_item(item, at(3, 0).date())
    url = reverse("admin:equipment_item_change", args=[item.pk])
    before = traces()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = manager_client.post(url, item_data(item, name="ЭКГ-аппарат", is_active=None,
                                                      cancel_affected="on"))

    assert response.status_code == 200 and response.context["adminform"].form.errors["name"]
    booking.refresh_from_db()
    assert Item.objects.get(pk=item.pk).is_active and booking.status == Status.PENDING
    assert (traces(), callbacks) == (before, [])


def test_withdrawing_an_item_on_a_valid_page_cancels_its_bookings(manager_client, item, book_item):
    booking = book_item(item, at(3, 0).date())

    response = manager_client.post(reverse("admin:equipment_item_change", args=[item.pk]),
                                   item_data(item, name="Новый УЗИ-аппарат", is_active=None, cancel_affected="on"))

    assert response.status_code == 302
    booking.refresh_from_db()
    withdrawn = Item.objects.get(pk=item.pk)
    assert (withdrawn.name, withdrawn.is_active, booking.status) == ("Новый УЗИ-аппарат", False, Status.CANCELLED)
    assert Event.objects.filter(booking_id=booking.pk, topic=Event.Topic.CANCELLED).exists()


def test_a_refusal_at_save_time_rolls_the_whole_page_back_and_says_why(manager_client, cabinet, book_cabinet,
                                                                       monkeypatch):
    # A booking made between the rows' check and the save: the check passed, the service under its lock refuses
    # after the cabinet's own fields were written.
    monkeypatch.setattr("cabinets.forms.weekly_schedule_check", lambda **kwargs: (None, []))
    booking = book_cabinet(cabinet, at(2, 10))  # a Wednesday
    url = reverse("admin:cabinets_cabinet_change", args=[cabinet.pk])

    response = manager_client.post(url, schedule_formset(cabinet, {2: {"opens": "12:00"}}, name="Новое имя"),
                                   follow=True)

    assert booking.reference in " ".join(str(m) for m in response.context["messages"])
    assert Cabinet.objects.get(pk=cabinet.pk).name == "Кабинет 1"
    assert WeeklySchedule.objects.get(cabinet=cabinet, weekday=2).opens.hour == 9
    booking.refresh_from_db()
    assert booking.status == Status.PENDING
