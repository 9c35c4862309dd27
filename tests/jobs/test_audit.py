"""The monthly Excel audit, re-read with openpyxl and compared with the database: every booking with its stored
price, and the month's revenue per clinic day."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from cabinets.services import cabinet_booking_cancel
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from integrations.audit.services import audit_export, audit_export_previous_month
from integrations.models import AuditExport, Delivery
from kernel.channels import Actor, Channel
from payments.direct import mark_paid_in_cash
from payments.refunds import refund_make
from payments.wallets import wallet_post
from tests.clock import at
from tests.conftest import MSK
from tests.jobs.conftest import approved_cabinet_booking, approved_equipment_booking
from tests.kernel.pricing.conftest import make_rule

pytestmark = pytest.mark.django_db
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def december(cabinet, item, alice, bob, staff, now, partner):
    """Bookings touching December 2026, one outside it, and a name that tries to be a formula."""
    inside = [
        approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 30),
                                   end_date=date(2026, 12, 2), units=2, now=now),
        approved_cabinet_booking(cabinet=cabinet, account=bob, staff=staff, starts_at=at(date(2026, 12, 1), 10),
                                 now=now),
        equipment_booking_create(item=item, start_date=date(2026, 12, 31), client_name="=HYPERLINK(\"x\")",
                                 client_phone="+79990001122", actor=Actor.for_partner(partner),
                                 channel=Channel.API, now=now, external_booking_id="crm-77"),
    ]
    cancelled = approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff,
                                         starts_at=at(date(2026, 12, 2), 15), now=now)
    cabinet_booking_cancel(booking=cancelled, actor=Actor.staff(staff), now=now, reason="client ill")
    approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 25), now=now)
    return [*inside, cancelled]


@pytest.fixture(autouse=True)
def english():
    """Most checks read the English column names; the last test shows the clinic's default, Russian."""
    with translation.override("en"):
        yield


def rows(sheet):
    """The sheet's rows, each as wide as its first (a row's empty cells at its end are not stored)."""
    found = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = len(found[0]) if found else 0
    return [row + [None] * (width - len(row)) for row in found]


def test_the_workbook_holds_every_booking_of_the_month_with_every_field(december, now, item, partner):
    export = audit_export(month=DECEMBER, now=now)

    book = load_workbook(export.file.path, read_only=True)
    assert book.sheetnames == ["Summary", "Equipment bookings", "Cabinet bookings", "Daily totals", "Items",
                               "Cabinets", "Telegram accounts", "Status history", "Payments", "Refunds", "Wallet",
                               "Reconciliation"]
    equipment = rows(book["Equipment bookings"])
    header, data = equipment[0], equipment[1:]
    assert {"ID", "Item", "Units", "From", "Until", "Status", "Channel", "Partner", "External booking id",
            "Client", "Phone"} <= set(header)
    db_ids = sorted(EquipmentBooking.objects.filter(start_date__lte=date(2026, 12, 31),
                                                    end_date__gte=DECEMBER).values_list("pk", flat=True))
    assert sorted(row[0] for row in data) == db_ids
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in data}
    api_row = by_id[december[2].pk]
    assert api_row["Partner"] == partner.name and api_row["External booking id"] == "crm-77"
    assert api_row["Channel"] == "api" and api_row["Client"] == "'=HYPERLINK(\"x\")"
    assert api_row["Phone"] == "+79990001122"
    first = by_id[december[0].pk]
    assert first["Units"] == 2 and first["From"] == datetime(2026, 11, 30) and first["Status"] == "approved"
    assert first["Created at"] == now.astimezone(MSK).replace(tzinfo=None)  # clinic time, 10:00

    cabinet_rows = rows(book["Cabinet bookings"])
    cabinet_by_id = {row[0]: dict(zip(cabinet_rows[0], row, strict=True)) for row in cabinet_rows[1:]}
    assert set(cabinet_by_id) == {december[1].pk, december[3].pk}
    assert cabinet_by_id[december[1].pk]["Starts at"] == datetime(2026, 12, 1, 10, 0)
    assert cabinet_by_id[december[3].pk]["Status"] == "cancelled"

    history = rows(book["Status history"])[1:]
    assert ("cabinet", december[3].pk, "approved", "cancelled") in {(r[0], r[1], r[3], r[4]) for r in history}
    assert export.row_counts["equipment_bookings"] == len(db_ids) == 2 and export.row_counts["cabinet_bookings"] == 2
    summary = rows(book["Summary"])
    item_row = next(r for r in summary if r and r[0] == item.name)
    # 2 units × 2 December days (the 1st and 2nd) + the partner's 1 unit on the 31st; 3 units × 31 days
    assert item_row[:5] == [item.name, 3, 2, 2 * 2 + 1, 3 * 31]


def test_each_booking_row_carries_its_stored_price_and_the_daily_totals_add_up_the_month(
        cabinet, item, alice, staff, now):
    item.price_per_day = Decimal("500.00")
    item.save(update_fields=["price_per_day"])
    cabinet.price_per_slot = Decimal("1000.00")
    cabinet.save(update_fields=["price_per_slot"])
    make_rule("threshold", "10", "1500.00")
    three_days = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 12, 1),
                                            end_date=date(2026, 12, 3), now=now)  # 1 500, −150
    visit = approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff,
                                     starts_at=at(date(2026, 12, 1), 10), now=now)  # 2 slots: 2 000, −200
    cancelled = approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff,
                                         starts_at=at(date(2026, 12, 2), 15), now=now)
    cabinet_booking_cancel(booking=cancelled, actor=Actor.staff(staff), now=now, reason="client ill")

    book = load_workbook(audit_export(month=DECEMBER, now=now).file.path, read_only=True)

    header, *data = rows(book["Equipment bookings"])
    row = {r[0]: dict(zip(header, r, strict=True)) for r in data}[three_days.pk]
    assert (row["Base price"], row["Discount"], row["Changed by manager"], row["Total"]) == (1500, -150, None, 1350)
    assert row["Discount rule"] == "discount on a total from 1,500\u00a0₽ −10\u00a0%"
    header, *data = rows(book["Cabinet bookings"])
    cabinet_rows = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    assert cabinet_rows[visit.pk]["Total"] == 1800 and cabinet_rows[cancelled.pk]["Total"] == 1800
    header, *days = rows(book["Daily totals"])
    assert header == ["Day", "Bookings", "Base prices", "Discounts", "Changed by managers", "Total"]
    assert len(days) == 31 + 1  # every day of December, then the month
    assert days[0] == [datetime(2026, 12, 1), 2, 3500, -350, 0, 3150]
    assert days[1] == [datetime(2026, 12, 2), 0, 0, 0, 0, 0]  # the cancelled visit does not count
    assert days[-1] == ["Total", 2, 3500, -350, 0, 3150]


def test_the_money_sheets_hold_the_months_payments_refunds_and_wallet_and_a_balanced_reconciliation(
        item, alice, staff, now):
    item.price_per_day = Decimal("500.00")
    item.save(update_fields=["price_per_day"])
    booking = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 12, 4), now=now)
    paid_at = at(date(2026, 12, 3), 12)
    payment = mark_paid_in_cash(booking=booking, resource_type="equipment", actor=Actor.staff(staff), now=paid_at,
                                idempotency_key="cash")
    refund_make(payment=payment, amount=Decimal("100.00"), destination="card", reason="=faulty probe",
                actor=Actor.staff(staff), now=paid_at + timedelta(hours=1), idempotency_key="card")
    for amount, when in ((Decimal("300.00"), at(date(2026, 12, 5), 9)), (Decimal("70.00"), now)):  # now: November
        wallet_post(client=booking.client, kind="deposit", amount=amount, reason="cash at the desk",
                    actor=Actor.staff(staff), idempotency_key=f"desk-{amount}", now=when)

    book = load_workbook(audit_export(month=DECEMBER, now=now).file.path, read_only=True)

    header, *payments = rows(book["Payments"])
    [row] = [dict(zip(header, r, strict=True)) for r in payments]
    assert (row["ID"], row["Paid at"], row["Method"], row["State"], row["Booking"], row["Amount"],
            row["Refunded"]) == (payment.pk, datetime(2026, 12, 3, 12), "cash", "paid", f"E-{booking.pk}", 500, 100)
    header, *refunds = rows(book["Refunds"])
    [row] = [dict(zip(header, r, strict=True)) for r in refunds]
    assert (row["Payment ID"], row["Booking"], row["To"], row["Amount"], row["Reason"]) == (
        payment.pk, f"E-{booking.pk}", "card", 100, "'=faulty probe")
    header, *wallet = rows(book["Wallet"])
    assert [(r[header.index("Kind")], r[header.index("Amount")]) for r in wallet] == [("deposit", 300)]
    header, *days = rows(book["Reconciliation"])
    assert len(days) == 31 + 1 and all(day[-1] == "yes" for day in days)
    total = dict(zip(header, days[-1], strict=True))
    assert (total["Day"], total["Cash for bookings"], total["Desk deposits"], total["Refunded to cards"],
            total["Money in"], total["Revenue"], total["Wallet change"], total["Difference"]) == (
        "Total", 500, 300, 100, 700, 400, 300, 0)


def test_header_is_bold_and_frozen_and_columns_readable(december, now):
    export = audit_export(month=DECEMBER, now=now)

    book = load_workbook(export.file.path)
    sheet = book["Equipment bookings"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    item_column = next(cell.column_letter for cell in sheet[1] if cell.value == "Item")
    assert sheet.column_dimensions[item_column].width >= 20


def test_each_booking_row_carries_the_reference_people_say_on_the_phone(december, now):
    export = audit_export(month=DECEMBER, now=now)

    book = load_workbook(export.file.path, read_only=True)
    for sheet, prefix in (("Equipment bookings", "E"), ("Cabinet bookings", "C")):
        header, *data = rows(book[sheet])
        assert header[:2] == ["ID", "Reference"]
        assert data and all(row[1] == f"{prefix}-{row[0]}" for row in data)
    cabinet_header, *cabinet_data = rows(book["Cabinet bookings"])
    by_id = {row[0]: dict(zip(cabinet_header, row, strict=True)) for row in cabinet_data}
    assert by_id[december[1].pk]["Minutes"] == 60 and by_id[december[1].pk]["Status"] == "approved"


def test_making_it_twice_keeps_one_record_and_one_file(december, now, tmp_path, capsys, time_machine):
    time_machine.move_to(now, tick=False)
    call_command("export_audit", "--month", "2026-12", "--output", str(tmp_path / "a.xlsx"))
    call_command("export_audit", "--month", "2026-12", "--output", str(tmp_path / "b.xlsx"))

    export = AuditExport.objects.get()
    assert AuditExport.objects.count() == 1
    # Other tests of this process may have left other months' files in the same storage.
    assert [name for name in export.file.storage.listdir("")[1] if "2026-12" in name] == ["audit-2026-12.xlsx"]
    assert (tmp_path / "a.xlsx").stat().st_size > 0 and "audit 2026-12" in capsys.readouterr().out


def test_the_monthly_run_sends_the_previous_month_to_managers_once(december, bot_api, manager_account):
    first_of_january = datetime(2027, 1, 1, 0, 5, tzinfo=MSK)

    export = audit_export_previous_month(now=first_of_january)
    audit_export_previous_month(now=first_of_january + timedelta(minutes=10))

    assert export.month == DECEMBER and export.created_at == first_of_january
    delivery = Delivery.objects.get()
    assert delivery.method == "sendDocument" and delivery.chat_id == manager_account.telegram_id
    assert delivery.payload["filename"] == "audit-2026-12.xlsx"
    assert "3" in delivery.payload["caption"] or "4" in delivery.payload["caption"]


def test_a_bad_month_is_refused_clearly(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("export_audit", "--month", "12-2026")


def test_staff_download_the_audit_from_the_admin(december, now, admin_client):
    export = audit_export(month=DECEMBER, now=now)

    listing = admin_client.get("/admin/integrations/auditexport/").content.decode()
    response = admin_client.get(f"/admin/integrations/auditexport/{export.pk}/download/")

    assert "audit-2026-12.xlsx" in listing
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit-2026-12.xlsx"'
    import hashlib

    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == export.sha256


def test_the_download_needs_a_staff_login(december, now, client):
    export = audit_export(month=DECEMBER, now=now)

    response = client.get(f"/admin/integrations/auditexport/{export.pk}/download/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_managers_receive_the_workbook_as_a_telegram_document(december, bot_api, manager_account, pacer):
    from integrations.delivery import deliveries_send_due

    first_of_january = datetime(2027, 1, 1, 0, 5, tzinfo=MSK)
    export = audit_export_previous_month(now=first_of_january)
    deliveries_send_due(budget_seconds=10, linger_seconds=0, clock=lambda: first_of_january, pacer=pacer)

    [call] = bot_api.delivered
    assert call.method == "sendDocument" and call.chat_id == manager_account.telegram_id
    filename, content = call.files["document"]
    assert filename == "audit-2026-12.xlsx"
    import hashlib

    assert hashlib.sha256(content).hexdigest() == export.sha256
    assert "2026" in call.data["caption"]


def test_the_command_shows_progress_on_stderr(december, now, capsys, time_machine):
    time_machine.move_to(now, tick=False)

    call_command("export_audit", "--month", "2026-12", "--no-send")

    captured = capsys.readouterr()
    assert "Equipment bookings: 2 rows" in captured.err and "audit 2026-12" in captured.out


def test_the_workbook_speaks_the_clinics_language_by_default(december, now):
    with translation.override("ru"):
        export = audit_export(month=DECEMBER, now=now)
    book = load_workbook(export.file.path, read_only=True)
    assert book.sheetnames[:3] == ["Сводка", "Брони оборудования", "Брони кабинетов"]
    assert "Клиент" in rows(book["Брони оборудования"])[0]


EXPORT_NOW = "/admin/integrations/auditexport/export-now/"


def test_staff_make_a_months_audit_from_the_admin_and_are_offered_the_file(december, admin_client):
    listing = admin_client.get("/admin/integrations/auditexport/").content.decode()
    assert 'id="audit-export-now"' in listing and 'type="month"' in listing

    response = admin_client.post(EXPORT_NOW, {"month": "2026-12"}, follow=True)

    export = AuditExport.objects.get(month=DECEMBER)
    assert export.row_counts["equipment_bookings"] == 2 and export.row_counts["cabinet_bookings"] == 2
    page = response.content.decode()
    download = f"/admin/integrations/auditexport/{export.pk}/download/"
    assert 'id="audit-download"' in page and download in page and "audit-2026-12.xlsx" in page
    file = admin_client.get(download)
    assert file.status_code == 200 and file["Content-Disposition"].endswith('"audit-2026-12.xlsx"')


def test_export_now_needs_the_change_permission_on_monthly_audits(december, client):
    from django.contrib.auth.models import Permission

    from tests import factories

    viewer = factories.StaffUserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_auditexport"))
    client.force_login(viewer)

    listing = client.get("/admin/integrations/auditexport/").content.decode()
    refused = client.post(EXPORT_NOW, {"month": "2026-12"})

    assert 'id="audit-export-now"' not in listing
    assert refused.status_code == 403 and not AuditExport.objects.exists()

    viewer.user_permissions.add(Permission.objects.get(codename="change_auditexport"))
    assert client.post(EXPORT_NOW, {"month": "2026-12"}).status_code == 302
    assert AuditExport.objects.filter(month=DECEMBER).exists()


def test_export_now_with_a_bad_month_says_how_to_write_one(admin_client):
    response = admin_client.post(EXPORT_NOW, {"month": "12-2026"}, follow=True)

    page = response.content.decode()
    assert 'class="error"' in page and "2026-10" in page  # "… YYYY-MM, for example 2026-10."
    assert not AuditExport.objects.exists()


def test_a_manager_who_is_not_a_superuser_can_export_a_month_now(december, client):
    from django.contrib.auth.models import Group

    from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
    from tests import factories

    managers_group_ensure()
    manager = factories.StaffUserFactory(username="reception")
    manager.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(manager)

    assert 'id="audit-export-now"' in client.get("/admin/integrations/auditexport/").content.decode()
    assert client.post(EXPORT_NOW, {"month": "2026-12"}).status_code == 302
    assert AuditExport.objects.filter(month=DECEMBER).exists()
