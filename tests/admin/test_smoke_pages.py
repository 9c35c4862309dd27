import pytest
from django.urls import reverse

from tests.clock import at

PAGES = [
    "admin:index",
    "admin:cabinets_day_schedule",
    "admin:equipment_occupancy",
    "admin:clinic_statistics",
    "admin:cabinets_cabinetbooking_add",
    "admin:equipment_equipmentbooking_add",
    "admin:cabinets_cabinetbooking_changelist",
    "admin:equipment_equipmentbooking_changelist",
    "admin:accounts_telegramaccount_changelist",
    "admin:accounts_partner_changelist",
    "admin:accounts_partner_add",
    "admin:cabinets_cabinet_changelist",
    "admin:cabinets_holiday_add",
    "admin:cabinets_closure_add",
    "admin:equipment_item_changelist",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_manager_page_opens_for_a_manager(manager_client, name, cabinet, item, book_cabinet, book_item):
    cabinet_booking = book_cabinet(cabinet, at(1, 10), equipment=[(item, 1)])
    book_item(item, at(2, 0).date())
    response = manager_client.get(reverse(name))

    assert response.status_code == 200, response.content[:2000]
    if name == "admin:cabinets_day_schedule":
        response = manager_client.get(reverse(name), {"date": at(1, 0).date().isoformat()})
        assert cabinet_booking.client_name in response.content.decode()
