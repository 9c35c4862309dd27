"""The "Managers" group: a staff member in it runs the clinic without being a superuser, and cannot touch
users or partners' key hashes."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from tests import factories


def test_the_group_is_created_by_migrate_and_ensuring_it_again_changes_nothing(db):
    group = Group.objects.get(name=MANAGERS_GROUP)
    before = set(group.permissions.values_list("codename", flat=True))

    managers_group_ensure()

    assert set(Group.objects.get(name=MANAGERS_GROUP).permissions.values_list("codename", flat=True)) == before
    assert {"change_cabinetbooking", "add_equipmentbooking", "change_telegramaccount", "add_partner"} <= before
    assert not {c for c in before if c.endswith("_user") or c.endswith("_group")}
    assert "delete_cabinetbooking" not in before and "delete_equipmentbooking" not in before


def test_a_manager_who_is_not_a_superuser_is_kept_out_of_users_and_groups(manager_client, manager_user):
    assert not manager_user.is_superuser

    assert manager_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert manager_client.get(reverse("admin:auth_user_change", args=[manager_user.pk])).status_code == 403
    assert manager_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_the_index_links_the_manager_pages(manager_client):
    page = manager_client.get(reverse("admin:index")).content.decode()

    for name in ("admin:cabinets_day_schedule", "admin:equipment_occupancy", "admin:clinic_statistics"):
        assert reverse(name) in page


def test_staff_without_the_group_see_none_of_it(client, db):
    stranger = factories.StaffUserFactory(username="intern")
    client.force_login(stranger)

    for name in ("admin:cabinets_day_schedule", "admin:equipment_occupancy", "admin:clinic_statistics",
                 "admin:cabinets_cabinetbooking_add"):
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.django_db
def test_the_admin_login_locks_out_after_repeated_failures(client, settings, manager_user):
    settings.AXES_ENABLED = True
    url = reverse("admin:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "maria", "password": "wrong"})

    response = client.post(url, {"username": "maria", "password": "correct horse battery staple"})

    assert response.status_code == 429
