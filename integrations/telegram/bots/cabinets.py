"""The cabinet bot: a cabinet for 1..N consecutive slots, optionally with equipment. Its adapter (what a
cabinet booking is to the bot: the slot hold kept while the dialog goes on, how a booking is loaded, shown,
created, cancelled, decided and waited for) and its own buttons (a series' "Cancel this and later"), composed
with the shared tables. The dialog's steps are in steps/cabinets.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from cabinets import rules as cabinet_rules
from cabinets.attendance import cabinet_booking_confirm_attendance, cabinet_booking_mark_no_show
from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import (
    RESOURCE,
    cabinet_booking_approve,
    cabinet_booking_cancel,
    cabinet_booking_create,
    cabinet_booking_reject,
    slot_hold_release,
    slot_hold_take,
    upcoming_for_requester,
)
from cabinets.waitlist import cabinet_wait_accept, cabinet_wait_join, waits_for
from equipment.availability import offered_with_cabinet
from equipment.models import Item
from integrations import texts
from integrations.prices import stored_price, stored_prices
from integrations.telegram import alternatives, waitlist
from integrations.telegram.bots import cabinet_series
from integrations.telegram.bots.attendance import SCHEDULE_STATUSES
from integrations.telegram.bots.dispatch import compose
from integrations.telegram.bots.steps import cabinets as steps
from integrations.telegram.bots.steps.cabinets import TAKEN_CODES
from integrations.telegram.bots.steps.client import client_fields
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.bookings import Status
from kernel.channels import Channel
from kernel.clock import clinic_zone
from kernel.errors import BookingError
from kernel.scheduling import day_bounds

# The chosen window stays held while these are filled in.
HELD_STEPS = ("equipment", "name", "phone", "birthday", "confirm")


def dialog_start(data: dict) -> datetime | None:
    """The start the dialog's `data` names (its day and "HHMM" slot, clinic time), or None before both."""
    day, slot = data.get("day"), data.get("slot")
    if not day or not slot:
        return None
    return datetime.combine(date.fromisoformat(day), time(int(slot[:2]), int(slot[2:])), tzinfo=clinic_zone())


class CabinetResource:
    """The cabinet bot's adapter."""

    rules = cabinet_rules  # `booking_starts_at`, `can_cancel`, `check_cancellable`

    # --- What the dialog has chosen -----------------------------------------------------------------

    def cabinet(self, turn: Turn) -> Cabinet | None:
        return Cabinet.objects.filter(pk=turn.dialog.data.get("cabinet"), is_active=True).first()

    def chosen_is_gone(self, turn: Turn) -> bool:
        return bool(turn.dialog.data.get("cabinet")) and self.cabinet(turn) is None

    def gone_text(self) -> str:
        return _("This cabinet is no longer available. Please choose another.")

    def day(self, turn: Turn) -> date | None:
        value = turn.dialog.data.get("day")
        return date.fromisoformat(value) if value else None

    def chosen_start(self, turn: Turn) -> datetime | None:
        return dialog_start(turn.dialog.data)

    def window(self, turn: Turn) -> tuple[datetime, datetime]:
        start = self.chosen_start(turn)
        return start, start + timedelta(minutes=int(turn.dialog.data["minutes"]))

    def today(self, turn: Turn) -> date:
        return local(turn.now).date()

    def last_day(self, turn: Turn) -> date:
        return cabinet_rules.last_bookable_day(turn.now)

    def item_offered(self, turn: Turn, item_id) -> Item | None:
        if not item_id:
            return None
        return Item.objects.filter(offered_with_cabinet(turn.dialog.data.get("cabinet")), pk=item_id).first()

    # --- The hold ---------------------------------------------------------------------------------

    def before_step(self, flow, turn: Turn, step: str) -> bool:
        """Entering a step after the duration holds the window again; False (refused, said) if it was taken."""
        if step in HELD_STEPS and turn.dialog.data.get("minutes") and not self.chosen_is_gone(turn):
            try:
                self._renew_hold(turn)
            except BookingError as exc:
                self.on_refused(flow, turn, exc)
                return False
        return True

    def _renew_hold(self, turn: Turn) -> None:
        """Hold the chosen window again for a full SLOT_HOLD_MINUTES; BookingError if someone took it."""
        slot_hold_take(cabinet=self.cabinet(turn), starts_at=self.chosen_start(turn), account=turn.account,
                       now=turn.now, duration_minutes=int(turn.dialog.data["minutes"]))

    def release(self, turn: Turn) -> None:
        slot_hold_release(account=turn.account)

    # --- The request ------------------------------------------------------------------------------

    def summary_lines(self, turn: Turn) -> list[str]:
        data = turn.dialog.data
        cabinet = self.cabinet(turn)
        lines = ["🚪 " + cabinet.name] if cabinet else []
        day = self.day(turn)
        if day and data.get("minutes"):
            start, end = self.window(turn)
            lines.append("📅 " + texts.window_text(start, end))
        elif day and data.get("slot"):
            lines.append("📅 " + f"{texts.day_text(day)} {data['slot'][:2]}:{data['slot'][2:]}")
        elif day:
            lines.append("📅 " + texts.day_text(day))
        if "item" in data and data.get("name"):
            item = self.item_offered(turn, data["item"])
            lines.append("🛠 " + (item.name if item else str(texts.NO_EQUIPMENT)))
        return lines

    def price_request(self, turn: Turn, data: dict) -> tuple[str, dict] | None:
        """What the dialog's `data` would book (the window, and the item taken with it), as the pricing function
        takes it; None before the window is chosen."""
        cabinet = Cabinet.objects.filter(pk=data["cabinet"], is_active=True).first() if data.get("cabinet") else None
        starts_at = dialog_start(data)
        if cabinet is None or starts_at is None or not data.get("minutes"):
            return None
        item = (Item.objects.filter(offered_with_cabinet(cabinet.pk), pk=data["item"]).first()
                if data.get("item") else None)
        return RESOURCE, {"cabinet": cabinet, "starts_at": starts_at, "duration_minutes": int(data["minutes"]),
                          "equipment": [(item, 1)] if item else []}

    def create(self, turn: Turn) -> CabinetBooking:
        data = turn.dialog.data
        cabinet = self.cabinet(turn)
        if cabinet is None:
            raise BookingError("inactive", _("This cabinet is no longer available."))
        item = self.item_offered(turn, data.get("item"))
        self._renew_hold(turn)
        return cabinet_booking_create(
            cabinet=cabinet, starts_at=self.chosen_start(turn), duration_minutes=int(data["minutes"]),
            **client_fields(data), actor=turn.actor, channel=Channel.BOT, now=turn.now,
            equipment=[(item, 1)] if item else [],
        )

    def on_refused(self, flow, turn: Turn, exc: BookingError) -> None:
        taken = _("Sorry, that time has just been taken by someone else.") if exc.code in TAKEN_CODES else None
        waitable = exc.code in TAKEN_CODES and waitlist.can_wait(turn)
        waitlist.remember_wait_request(flow, turn, waitable)
        # The equipment went: the window is still theirs and the equipment step shows what else is free.
        if exc.code != "no_capacity" and alternatives.offer(turn, flow, exc, trail=["cabinet", "date", "slot"],
                                                            clear={"slot": None, "minutes": None}, message=taken):
            return
        if exc.code == "no_capacity":  # the equipment went; the window is still theirs
            turn.say(exc.message)
            turn.dialog.data.update(item=None, name=None, phone=None)
            turn.dialog.data["trail"] = ["cabinet", "date", "slot", "duration"]
            flow.enter(turn, "equipment", new=True)
            return
        if waitable:
            waitlist.offer_waitlist(flow, turn, _("Sorry, that time has just been taken by someone else. Please "
                                                  "choose another time, or wait for this one."))
        elif exc.code in TAKEN_CODES:
            turn.say(_("Sorry, that time has just been taken by someone else. Please choose another time."))
        else:
            turn.say(exc.message)
        if exc.code in (*TAKEN_CODES, "too_soon", "closed", "date_in_past", "too_long", "not_a_slot"):
            turn.dialog.data.update(slot=None, minutes=None)
            turn.dialog.data["trail"] = ["cabinet", "date"]
            flow.enter(turn, "slot", new=True)

    # --- The waitlist -----------------------------------------------------------------------------

    def wait_request(self, turn: Turn) -> dict:
        data = turn.dialog.data
        return {"cabinet": data.get("cabinet"), "day": data.get("day"), "slot": data.get("slot"),
                "minutes": data.get("minutes"), "name": data.get("name"), "phone": data.get("phone")}

    def join_wait(self, turn: Turn, request: dict):
        cabinet = Cabinet.objects.filter(pk=request.get("cabinet"), is_active=True).first()
        if cabinet is None or not request.get("minutes"):
            raise BookingError("inactive", _("This cabinet is no longer available."))
        return cabinet_wait_join(cabinet=cabinet, starts_at=dialog_start(request),
                                 duration_minutes=int(request["minutes"]), client_name=request["name"],
                                 client_phone=request["phone"], actor=turn.actor, channel=Channel.BOT, now=turn.now)

    def accept_wait(self, turn: Turn, wait):
        return cabinet_wait_accept(wait=wait, actor=turn.actor, now=turn.now)

    def my_waits(self, turn: Turn) -> list:
        return waits_for(account=turn.account)

    # --- Bookings ---------------------------------------------------------------------------------

    def load(self, booking_id: int):
        return (CabinetBooking.objects.select_related("cabinet", "series")
                .prefetch_related("equipment_bookings__item").filter(pk=booking_id).first())

    def card(self, booking, *, for_manager: bool = False, prices: dict | None = None) -> str:
        """The booking's card with its stored price (from `prices`, by booking id, when they were read)."""
        price = prices.get(booking.pk) if prices is not None else stored_price(RESOURCE, booking.pk)
        return cabinet_series.with_series(booking, texts.cabinet_card(booking, for_manager=for_manager, price=price))

    def prices(self, bookings) -> dict:
        return stored_prices(RESOURCE, [booking.pk for booking in bookings])

    def booking_markup(self, flow, booking, can_cancel: bool):
        return cabinet_series.series_markup(flow, booking, can_cancel)

    def cancel(self, booking, turn: Turn):
        return cabinet_booking_cancel(booking=booking, actor=turn.actor, now=turn.now, channel=Channel.BOT)

    def decide(self, booking, turn: Turn, *, approve: bool, reason: str = ""):
        if approve:
            return cabinet_booking_approve(booking=booking, actor=turn.actor, now=turn.now, channel=Channel.BOT)
        return cabinet_booking_reject(booking=booking, actor=turn.actor, now=turn.now, reason=reason,
                                      channel=Channel.BOT)

    def my_bookings(self, turn: Turn) -> list:
        return list(upcoming_for_requester(account=turn.account, now=turn.now)[:10])

    def pending(self) -> list:
        return list(CabinetBooking.objects.select_related("cabinet").prefetch_related("equipment_bookings__item")
                    .filter(status=Status.PENDING).order_by("starts_at", "id")[:50])

    def confirm_attendance(self, booking, turn: Turn):
        return cabinet_booking_confirm_attendance(booking=booking, actor=turn.actor, now=turn.now)

    def mark_no_show(self, booking, turn: Turn):
        return cabinet_booking_mark_no_show(booking=booking, actor=turn.actor, now=turn.now, channel=Channel.BOT)

    def on_day(self, day: date) -> list:
        start, end = day_bounds(day, clinic_zone())
        return list(CabinetBooking.objects.select_related("cabinet").filter(
            status__in=SCHEDULE_STATUSES, starts_at__lt=end, ends_at__gt=start).order_by("starts_at", "id"))

    def schedule_line(self, booking) -> str:
        return f"🔹 {texts.hhmm(booking.starts_at)}–{texts.hhmm(booking.ends_at)} | {booking.cabinet.name} | " + (
            f"{booking.client_name} | {booking.reference} {texts.status_label(booking.status)}")


def build():
    from integrations.telegram.bots import schedule, services_flow
    from integrations.telegram.bots.steps import services as service_steps

    return compose(bot="cabinet", prefix="cab", resource=services_flow.CabinetAndServiceResource(),
                   first_step="cabinet", steps={**steps.STEPS, **service_steps.STEPS}, buttons=cabinet_series.BUTTONS,
                   commands={**services_flow.COMMANDS, "schedule": schedule.cmd_schedule}, menu=services_flow.MENU)
