"""The equipment bot: whole-day bookings of items. Its adapter (what an equipment booking is to the bot: how
it is loaded, shown, created, cancelled, decided and waited for), its own commands (Schedule, Catalogue) and
buttons, composed with the shared tables. The dialog's steps are in steps/equipment.py."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from equipment import rules as equipment_rules
from equipment.attendance import (
    equipment_booking_confirm_attendance,
    equipment_booking_mark_no_show,
)
from equipment.availability import bookable_items_for_clients, equipment_grid
from equipment.models import EquipmentBooking, Item
from equipment.services import (
    RESOURCE,
    equipment_booking_approve,
    equipment_booking_cancel,
    equipment_booking_create,
    equipment_booking_reject,
    upcoming_for_requester,
)
from equipment.waitlist import equipment_wait_accept, equipment_wait_join, waits_for
from integrations import texts
from integrations.prices import stored_price, stored_prices
from integrations.telegram import alternatives, waitlist
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.attendance import SCHEDULE_STATUSES
from integrations.telegram.bots.commands import cmd_book
from integrations.telegram.bots.dispatch import compose
from integrations.telegram.bots.steps import equipment as steps
from integrations.telegram.bots.steps.client import client_fields
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.bookings import Status
from kernel.channels import Channel
from kernel.errors import BookingError
from kernel.scheduling import date_range

SCHEDULE_DAYS = 30


class EquipmentResource:
    """The equipment bot's adapter."""

    rules = equipment_rules  # `booking_starts_at`, `can_cancel`, `check_cancellable`

    # --- What a user may book -----------------------------------------------------------------------

    def items(self, turn: Turn):
        query = Item.objects.filter(is_active=True)
        if not turn.account.is_manager:  # managers may also book reserved and installed items
            query = query.filter(bookable_items_for_clients())
        return query.order_by("sort_order", "id")

    def item(self, turn: Turn) -> Item | None:
        return self.items(turn).filter(pk=turn.dialog.data.get("item")).first()

    def chosen_is_gone(self, turn: Turn) -> bool:
        return bool(turn.dialog.data.get("item")) and self.item(turn) is None

    def gone_text(self) -> str:
        return _("This equipment is no longer available. Please choose another.")

    def today(self, turn: Turn) -> date:
        return local(turn.now).date()

    def horizon(self, turn: Turn) -> date:
        return equipment_rules.last_bookable_day(turn.now)

    def before_step(self, flow, turn: Turn, step: str) -> bool:
        return True

    def release(self, turn: Turn) -> None:
        """Nothing is held while an equipment dialog goes on."""

    # --- The request ------------------------------------------------------------------------------

    def summary_lines(self, turn: Turn) -> list[str]:
        data = turn.dialog.data
        item = self.item(turn)
        lines = ["🏢 " + item.name] if item else []
        if data.get("start"):
            start = date.fromisoformat(data["start"])
            end = date.fromisoformat(data["end"]) if data.get("end") else None
            lines.append("📅 " + (texts.dates_text(start, end) if end else texts.day_text(start)))
        if data.get("units") and data.get("name"):
            lines.append(_("Units: %(n)s") % {"n": data["units"]})
        return lines

    def price_request(self, turn: Turn, data: dict) -> tuple[str, dict] | None:
        """What the dialog's `data` would book, as the pricing function takes it; None before it is chosen."""
        item = self.items(turn).filter(pk=data["item"]).first() if data.get("item") else None
        if item is None or not data.get("start"):
            return None
        start = date.fromisoformat(data["start"])
        end = date.fromisoformat(data["end"]) if data.get("end") else start
        return RESOURCE, {"item": item, "units": int(data.get("units") or 1), "start_date": start, "end_date": end}

    def create(self, turn: Turn) -> EquipmentBooking:
        data = turn.dialog.data
        item = Item.objects.filter(pk=data.get("item")).first()
        if item is None:
            raise BookingError("not_found", _("This equipment is no longer available."))
        return equipment_booking_create(
            item=item, start_date=date.fromisoformat(data["start"]), end_date=date.fromisoformat(data["end"]),
            units=int(data.get("units") or 1), **client_fields(data), actor=turn.actor, channel=Channel.BOT,
            now=turn.now,
        )

    def on_refused(self, flow, turn: Turn, exc: BookingError) -> None:
        waitable = exc.code == "no_capacity" and waitlist.can_wait(turn)
        waitlist.remember_wait_request(flow, turn, waitable)
        if alternatives.offer(turn, flow, exc, trail=["item", "start"], clear={"start": None, "end": None,
                                                                              "month": None}):
            return
        if waitable:
            waitlist.offer_waitlist(flow, turn, exc.message)
        else:
            turn.say(exc.message)
        if exc.code in ("no_capacity", "date_in_past", "too_far_ahead", "range_too_long"):
            turn.dialog.data.update(start=None, end=None, month=None)
            turn.dialog.data["trail"] = ["item"]
            flow.enter(turn, "start", new=True)

    # --- The waitlist -----------------------------------------------------------------------------

    def wait_request(self, turn: Turn) -> dict:
        data = turn.dialog.data
        return {key: data.get(key) for key in ("item", "start", "end", "units", "name", "phone")}

    def join_wait(self, turn: Turn, request: dict):
        item = self.items(turn).filter(pk=request.get("item")).first()
        if item is None:
            raise BookingError("not_found", _("This equipment is no longer available."))
        return equipment_wait_join(
            item=item, start_date=date.fromisoformat(request["start"]), end_date=date.fromisoformat(request["end"]),
            units=int(request.get("units") or 1), client_name=request["name"], client_phone=request["phone"],
            actor=turn.actor, channel=Channel.BOT, now=turn.now)

    def accept_wait(self, turn: Turn, wait):
        return equipment_wait_accept(wait=wait, actor=turn.actor, now=turn.now)

    def my_waits(self, turn: Turn) -> list:
        return waits_for(account=turn.account)

    # --- Bookings ---------------------------------------------------------------------------------

    def load(self, booking_id: int):
        return (EquipmentBooking.objects.select_related("item")
                .filter(pk=booking_id, cabinet_booking__isnull=True).first())

    def card(self, booking, *, for_manager: bool = False, prices: dict | None = None) -> str:
        """The booking's card with its stored price (from `prices`, by booking id, when they were read)."""
        price = prices.get(booking.pk) if prices is not None else stored_price(RESOURCE, booking.pk)
        return texts.equipment_card(booking, for_manager=for_manager, price=price)

    def prices(self, bookings) -> dict:
        return stored_prices(RESOURCE, [booking.pk for booking in bookings])

    def booking_markup(self, flow, booking, can_cancel: bool):
        return None  # the shared Open and Cancel

    def cancel(self, booking, turn: Turn):
        return equipment_booking_cancel(booking=booking, actor=turn.actor, now=turn.now, channel=Channel.BOT)

    def decide(self, booking, turn: Turn, *, approve: bool, reason: str = ""):
        if approve:
            return equipment_booking_approve(booking=booking, actor=turn.actor, now=turn.now, channel=Channel.BOT)
        return equipment_booking_reject(booking=booking, actor=turn.actor, now=turn.now, reason=reason,
                                        channel=Channel.BOT)

    def my_bookings(self, turn: Turn) -> list:
        return list(upcoming_for_requester(account=turn.account, now=turn.now)[:10])

    def pending(self) -> list:
        return list(EquipmentBooking.objects.select_related("item").filter(
            status=Status.PENDING, cabinet_booking__isnull=True).order_by("start_date", "id")[:50])

    def confirm_attendance(self, booking, turn: Turn):
        return equipment_booking_confirm_attendance(booking=booking, actor=turn.actor, now=turn.now)

    def mark_no_show(self, booking, turn: Turn):
        return equipment_booking_mark_no_show(booking=booking, actor=turn.actor, now=turn.now, channel=Channel.BOT)

    def on_day(self, day: date) -> list:
        return list(EquipmentBooking.objects.select_related("item").filter(
            status__in=SCHEDULE_STATUSES, cabinet_booking__isnull=True, start_date__lte=day, end_date__gte=day,
        ).order_by("item__sort_order", "item_id", "id"))

    def schedule_line(self, booking) -> str:
        return "🔹 " + _("%(ref)s %(item)s × %(units)s — %(client)s (%(status)s)") % {
            "ref": booking.reference, "item": booking.item.name, "units": booking.units, "client": booking.client_name,
            "status": texts.status_label(booking.status)}


# --- Schedule and catalogue --------------------------------------------------------------------------


def cmd_schedule(flow, turn: Turn, args: str) -> None:
    markup = _schedule_choice(flow, turn, page=0)
    if markup is None:
        turn.say(_("There is no equipment to book at the moment."), flow.menu(turn))
        return
    turn.say(_("📅 Whose schedule for the next 30 days?"), markup)


def btn_schedule_page(flow, turn: Turn, page: int) -> None:
    markup = _schedule_choice(flow, turn, page=page)
    if markup is None:
        turn.notice(_("There is no equipment to book at the moment."))
        return
    turn.edit(_("📅 Whose schedule for the next 30 days?"), markup)


def _schedule_choice(flow, turn: Turn, *, page: int):
    entries = [(steps.short(item.name), f"eq:sch:{item.pk}") for item in flow.resource.items(turn)]
    if not entries:
        return None
    rows, _page = kb.paged(entries, page=page, page_data="eq:schp")
    return kb.inline(rows)


def btn_schedule(flow, turn: Turn, item_id: int) -> None:
    item = flow.resource.items(turn).filter(pk=item_id).first()
    if item is None:
        turn.notice(_("This equipment is no longer available."))
        return
    today = flow.resource.today(turn)
    last = today + timedelta(days=SCHEDULE_DAYS - 1)
    grid = equipment_grid(items=[item], start_date=today, end_date=last)
    lines = [_("📅 %(item)s, %(n)s units:") % {"item": item.name, "n": item.quantity}]
    for day in date_range(today, last):
        free = grid.free(item.pk, day)
        lines.append(f"{day:%d.%m} " + (_("✅ %(n)s free") % {"n": free} if free else _("❌ busy")))
    turn.say("\n".join(lines), kb.inline([[kb.button(texts.BOOK_THIS, f"eq:bk:{item.pk}")]]))


def btn_book_item(flow, turn: Turn, item_id: int) -> None:
    cmd_book(flow, turn, "")
    if turn.dialog.state != "item":
        return
    turn.outcome.replies.clear()
    item = flow.resource.items(turn).filter(pk=item_id).first()
    if item is None:
        if item_id:
            turn.notice(_("This equipment is no longer available."))
        steps.show_item(flow, turn, new=True)
        return
    turn.dialog.data.update(item=item.pk, month=None)
    flow.enter(turn, "start", new=True)


def cmd_catalogue(flow, turn: Turn, args: str) -> None:
    items = list(flow.resource.items(turn))
    if not items:
        turn.say(_("There is no equipment to book at the moment."), flow.menu(turn))
        return
    lines = [_("💼 Our equipment:")]
    for item in items:
        units = _("units: %(n)s") % {"n": item.quantity}
        lines.append(f"• {item.name} ({units})" + (f"\n  {item.description[:200]}" if item.description else ""))
    *first, last = texts.split_message(lines)
    for message in first:
        turn.say(message)
    turn.say(last, kb.inline([[kb.button(texts.BOOK, "eq:bk:0")]]))


def build():
    return compose(
        bot="equipment", prefix="eq", resource=EquipmentResource(), first_step="item", steps=steps.STEPS,
        commands={"schedule": cmd_schedule, "catalogue": cmd_catalogue, "catalog": cmd_catalogue},
        menu={texts.SCHEDULE: cmd_schedule, texts.CATALOGUE: cmd_catalogue},
        buttons={"sch": btn_schedule, "schp": btn_schedule_page, "bk": btn_book_item},
    )
