"""The cabinet bot: a cabinet for 1..N consecutive slots, optionally with equipment. Cabinet → date →
start slot → duration → equipment or No equipment → name → phone → Confirm. The chosen slot, then the
chosen duration, is held for the user with the core's slot hold while they finish the dialog."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from booking_site.bookings import Status
from booking_site.channels import Channel
from booking_site.errors import BookingError
from booking_site.scheduling import add_months, day_bounds
from cabinets import rules as cabinet_rules
from cabinets.attendance import cabinet_booking_confirm_attendance, cabinet_booking_mark_no_show
from cabinets.availability import cabinet_day, cabinets_days, clinic_zone
from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import (
    cabinet_booking_approve,
    cabinet_booking_cancel,
    cabinet_booking_create,
    cabinet_booking_reject,
    slot_hold_release,
    slot_hold_take,
    upcoming_for_requester,
)
from cabinets.waitlist import cabinet_wait_accept, cabinet_wait_join, waits_for
from equipment.availability import items_free_in_window, offered_with_cabinet
from equipment.models import Item
from integrations import texts
from integrations.telegram import alternatives
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.attendance import SCHEDULE_STATUSES
from integrations.telegram.bots.base import BaseFlow
from integrations.telegram.bots.cabinet_series import SeriesActions, with_series
from integrations.telegram.conversation import Turn
from integrations.telegram.waitlist import WaitlistButtons
from integrations.texts import local

TAKEN_CODES = ("held", "slot_taken")
HELD_STEPS = ("equipment", "name", "phone", "confirm")  # the chosen window stays held while they are filled in


class CabinetFlow(SeriesActions, WaitlistButtons, BaseFlow):
    bot = "cabinet"
    prefix = "cab"
    rules = cabinet_rules
    first_step = "cabinet"
    accepts = {
        "cabinet": ("cab",),
        "date": ("day", "month"),
        "slot": ("slot",),
        "duration": ("dur",),
        "equipment": ("eq", "noeq", "page"),
        "confirm": ("confirm",),
        "alternatives": ("alt",),
    }

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
        day, slot = self.day(turn), turn.dialog.data.get("slot")
        if day is None or not slot:
            return None
        return datetime.combine(day, time(int(slot[:2]), int(slot[2:])), tzinfo=clinic_zone())

    def today(self, turn: Turn) -> date:
        return local(turn.now).date()

    def last_day(self, turn: Turn) -> date:
        return local(turn.now + timedelta(days=settings.CABINET_MAX_ADVANCE_DAYS)).date()

    def item_offered(self, turn: Turn, item_id) -> Item | None:
        if not item_id:
            return None
        return Item.objects.filter(offered_with_cabinet(turn.dialog.data.get("cabinet")), pk=item_id).first()

    # --- Wizard steps -----------------------------------------------------------------------------

    def begin(self, turn: Turn) -> None:
        self.enter(turn, "cabinet", new=True)

    def enter(self, turn: Turn, step: str, *, new: bool = False) -> None:
        if step in HELD_STEPS and turn.dialog.data.get("minutes") and not self.chosen_is_gone(turn):
            try:
                self._renew_hold(turn)
            except BookingError as exc:
                self.on_refused(turn, exc)
                return
        super().enter(turn, step, new=new)

    def _renew_hold(self, turn: Turn) -> None:
        """Hold the chosen window again for a full SLOT_HOLD_MINUTES; BookingError if someone took it."""
        slot_hold_take(cabinet=self.cabinet(turn), starts_at=self.chosen_start(turn), account=turn.account,
                       now=turn.now, duration_minutes=int(turn.dialog.data["minutes"]))

    def on_cancel(self, turn: Turn) -> None:
        slot_hold_release(account=turn.account)

    def show_cabinet(self, turn: Turn, new: bool = False) -> None:
        cabinets = list(Cabinet.objects.filter(is_active=True).order_by("sort_order", "id")[:50])
        if not cabinets:
            turn.dialog.reset()
            turn.say(_("There are no cabinets to book at the moment."), self.menu(turn))
            return
        rows = [[kb.button(cabinet.name[:60], f"w:cab:{cabinet.pk}")] for cabinet in cabinets]
        turn.screen(_("🚪 Choose a cabinet:"), kb.inline([*rows, kb.nav_row(back=False)]), new=new)

    def pick_cab(self, turn: Turn, value: str) -> None:
        cabinet = Cabinet.objects.filter(pk=int(value), is_active=True).first() if value.isdigit() else None
        if cabinet is None:
            turn.notice(_("This cabinet is no longer available."))
            self.show_cabinet(turn)
            return
        turn.dialog.data.update(cabinet=cabinet.pk, month=None, day=None, slot=None, minutes=None)
        self.enter(turn, "date")

    def show_date(self, turn: Turn, new: bool = False) -> None:
        cabinet = self.cabinet(turn)
        if cabinet is None:
            self.enter(turn, "cabinet", new=new)
            return
        first, last = self.today(turn), self.last_day(turn)
        year, month = kb.parse_month(turn.dialog.data.get("month") or "") or (first.year, first.month)
        month_start = date(year, month, 1)
        month_end = date(*add_months(year, month, 1), 1) - timedelta(days=1)
        days = cabinets_days(cabinets=[cabinet], start_date=max(month_start, first), end_date=min(month_end, last),
                             now=turn.now, holder_id=turn.account.pk).get(cabinet.pk, {})

        def day_button(day: date) -> tuple[str, bool]:
            cabinet_day_ = days.get(day)
            if cabinet_day_ is None:
                return "·", False
            if cabinet_day_.closed_reason:
                return "✖", False
            if not cabinet_day_.free_slots:
                return "—", False
            return str(day.day), True

        rows = kb.calendar(year=year, month=month, day_button=day_button, first_month=(first.year, first.month),
                           last_month=(last.year, last.month))
        turn.screen(self.summary(turn) + "\n\n" + _("📅 Choose a date (✖ — closed, — — fully booked):"),
                    kb.inline([*rows, kb.nav_row()]), new=new)

    def pick_month(self, turn: Turn, value: str) -> None:
        if kb.parse_month(value) is None:
            turn.notice(_("This button is out of date."))
            return
        turn.dialog.data["month"] = value
        self.show_date(turn)

    def pick_day(self, turn: Turn, value: str) -> None:
        day, cabinet = kb.parse_day(value), self.cabinet(turn)
        if day is None or cabinet is None:
            turn.notice(_("This button is out of date."))
            return
        if day < self.today(turn):
            turn.say(BookingError("date_in_past").message)
            return
        found = cabinet_day(cabinet=cabinet, day=day, now=turn.now, holder_id=turn.account.pk)
        if found.closed_reason:
            turn.say(_("%(cabinet)s is closed on %(day)s. Please choose another date.") % {
                "cabinet": cabinet.name, "day": texts.day_text(day)})
            return
        if not found.free_slots:
            turn.say(_("%(cabinet)s has no free time on %(day)s. Please choose another date.") % {
                "cabinet": cabinet.name, "day": texts.day_text(day)})
            return
        turn.dialog.data.update(day=day.isoformat(), slot=None, minutes=None)
        self.enter(turn, "slot")

    def show_slot(self, turn: Turn, new: bool = False) -> None:
        cabinet, day = self.cabinet(turn), self.day(turn)
        found = cabinet_day(cabinet=cabinet, day=day, now=turn.now, holder_id=turn.account.pk)
        buttons = [kb.button(f"{texts.hhmm(slot.start)}", f"w:slot:{local(slot.start):%H%M}")
                   for slot in found.free_slots]
        if not buttons:
            text = _("%(cabinet)s has no free time on %(day)s any more. Press Back to choose another date.") % {
                "cabinet": cabinet.name, "day": texts.day_text(day)}
        else:
            text = self.summary(turn) + "\n\n" + _("🕐 Choose the start time:")
        turn.screen(text, kb.inline([*kb.chunks(buttons, 4), kb.nav_row()]), new=new)

    def _take_hold(self, turn: Turn, minutes: int | None) -> bool:
        try:
            slot_hold_take(cabinet=self.cabinet(turn), starts_at=self.chosen_start(turn), account=turn.account,
                           now=turn.now, duration_minutes=minutes)
        except BookingError as exc:
            turn.notice(_("Not available."))
            if exc.code in TAKEN_CODES and minutes is None:
                turn.say(_("Sorry, that time has just been taken by someone else. Please choose another time."))
            else:
                turn.say(exc.message)
            return False
        return True

    def pick_slot(self, turn: Turn, value: str) -> None:
        if len(value) != 4 or not value.isdigit() or int(value[:2]) > 23 or int(value[2:]) > 59:
            turn.notice(_("This button is out of date."))
            return
        turn.dialog.data.update(slot=value, minutes=None)
        if not self._take_hold(turn, None):
            turn.dialog.data["slot"] = None
            self.show_slot(turn, new=True)
            return
        self.enter(turn, "duration")

    def show_duration(self, turn: Turn, new: bool = False) -> None:
        found = cabinet_day(cabinet=self.cabinet(turn), day=self.day(turn), now=turn.now, holder_id=turn.account.pk)
        slot = found.slot_at(self.chosen_start(turn))
        durations = slot.durations if slot is not None and slot.available else []
        buttons = [kb.button(texts.duration_text(minutes), f"w:dur:{minutes}") for minutes in durations]
        text = self.summary(turn) + "\n\n" + _("⏱ How long? (Only the lengths that fit are shown.)")
        turn.screen(text, kb.inline([*kb.chunks(buttons, 3), kb.nav_row()]), new=new)

    def pick_dur(self, turn: Turn, value: str) -> None:
        if not value.isdigit() or not 0 < int(value) <= 24 * 60:
            turn.notice(_("This button is out of date."))
            return
        if not self._take_hold(turn, int(value)):
            return
        turn.dialog.data["minutes"] = int(value)
        self.enter(turn, "equipment")

    def _window(self, turn: Turn) -> tuple[datetime, datetime]:
        start = self.chosen_start(turn)
        return start, start + timedelta(minutes=int(turn.dialog.data["minutes"]))

    def show_equipment(self, turn: Turn, new: bool = False) -> None:
        items = list(Item.objects.filter(offered_with_cabinet(turn.dialog.data["cabinet"]))
                     .order_by("sort_order", "id"))
        if not items and turn.dialog.state == "equipment":
            turn.dialog.data["item"] = 0
            turn.dialog.data["trail"].pop()
            self.enter(turn, "name", new=new)
            return
        starts_at, ends_at = self._window(turn)
        free = items_free_in_window(items=items, starts_at=starts_at, ends_at=ends_at)
        entries = []
        for item in items:
            if free[item.pk] >= 1:
                entries.append((_("%(name)s · %(n)s free") % {"name": item.name[:40], "n": free[item.pk]},
                                f"w:eq:{item.pk}"))
            else:
                entries.append((_("✖ %(name)s · busy") % {"name": item.name[:40]}, None))
        rows, page = kb.paged(entries, page=int(turn.dialog.data.get("eqpage") or 0))
        turn.dialog.data["eqpage"] = page
        rows = [[kb.button(texts.NO_EQUIPMENT, "w:noeq")], *rows]
        turn.screen(self.summary(turn) + "\n\n" + _("🛠 Do you need equipment for this time?"),
                    kb.inline([*rows, kb.nav_row()]), new=new)

    def pick_eq(self, turn: Turn, value: str) -> None:
        item = self.item_offered(turn, int(value)) if value.isdigit() else None
        if item is None:
            turn.notice(_("This equipment is no longer available."))
            return
        turn.dialog.data["item"] = item.pk
        self.enter(turn, "name")

    def pick_page(self, turn: Turn, value: str) -> None:
        turn.dialog.data["eqpage"] = int(value) if value.lstrip("-").isdigit() else 0
        self.show_equipment(turn)

    def pick_noeq(self, turn: Turn, value: str) -> None:
        turn.dialog.data["item"] = 0
        self.enter(turn, "name")

    def summary_lines(self, turn: Turn) -> list[str]:
        data = turn.dialog.data
        cabinet = self.cabinet(turn)
        lines = ["🚪 " + cabinet.name] if cabinet else []
        day = self.day(turn)
        if day and data.get("minutes"):
            start, end = self._window(turn)
            lines.append("📅 " + texts.window_text(start, end))
        elif day and data.get("slot"):
            lines.append("📅 " + f"{texts.day_text(day)} {data['slot'][:2]}:{data['slot'][2:]}")
        elif day:
            lines.append("📅 " + texts.day_text(day))
        if "item" in data and data.get("name"):
            item = self.item_offered(turn, data["item"])
            lines.append("🛠 " + (item.name if item else str(texts.NO_EQUIPMENT)))
        return lines

    def create(self, turn: Turn) -> CabinetBooking:
        data = turn.dialog.data
        cabinet = self.cabinet(turn)
        if cabinet is None:
            raise BookingError("inactive", _("This cabinet is no longer available."))
        item = self.item_offered(turn, data.get("item"))
        self._renew_hold(turn)
        return cabinet_booking_create(
            cabinet=cabinet, starts_at=self.chosen_start(turn), duration_minutes=int(data["minutes"]),
            client_name=data["name"], client_phone=data["phone"], actor=turn.actor, channel=Channel.BOT,
            now=turn.now, equipment=[(item, 1)] if item else [],
        )

    def on_refused(self, turn: Turn, exc: BookingError) -> None:
        taken = _("Sorry, that time has just been taken by someone else.") if exc.code in TAKEN_CODES else None
        waitable = exc.code in TAKEN_CODES and self.can_wait(turn)
        self.remember_wait_request(turn, waitable)
        # The equipment went: the window is still theirs and the equipment step shows what else is free.
        if exc.code != "no_capacity" and alternatives.offer(turn, self, exc, trail=["cabinet", "date", "slot"],
                                                            clear={"slot": None, "minutes": None}, message=taken):
            return
        if exc.code == "no_capacity":  # the equipment went; the window is still theirs
            turn.say(exc.message)
            turn.dialog.data.update(item=None, name=None, phone=None)
            turn.dialog.data["trail"] = ["cabinet", "date", "slot", "duration"]
            self.enter(turn, "equipment", new=True)
            return
        if waitable:
            self.offer_waitlist(turn, _("Sorry, that time has just been taken by someone else. Please choose "
                                        "another time, or wait for this one."))
        elif exc.code in TAKEN_CODES:
            turn.say(_("Sorry, that time has just been taken by someone else. Please choose another time."))
        else:
            turn.say(exc.message)
        if exc.code in (*TAKEN_CODES, "too_soon", "closed", "date_in_past", "too_long", "not_a_slot"):
            turn.dialog.data.update(slot=None, minutes=None)
            turn.dialog.data["trail"] = ["cabinet", "date"]
            self.enter(turn, "slot", new=True)

    def show_alternatives(self, turn: Turn, new: bool = False) -> None:
        def label(alt: dict) -> str:
            start = datetime.fromisoformat(alt["starts_at"])
            window = texts.window_text(start, start + timedelta(minutes=alt["duration_minutes"]))
            return f"🕐 {window} · {alt['cabinet_name'][:40]}"

        alternatives.show(turn, label, new=new, extra_rows=self.join_rows(turn))

    def pick_alt(self, turn: Turn, value: str) -> None:
        """One tap on an alternative: its cabinet and window are filled in (and held), then on to Confirm;
        to the equipment step first when the chosen equipment does not go with that cabinet."""
        alt = alternatives.chosen(turn, value)
        cabinet = Cabinet.objects.filter(pk=alt["cabinet_id"], is_active=True).first() if alt else None
        if alt is None or cabinet is None:
            if alt is not None:
                turn.notice(_("This cabinet is no longer available."))
            return
        start = local(datetime.fromisoformat(alt["starts_at"]))
        data = turn.dialog.data
        data.update(cabinet=cabinet.pk, day=start.date().isoformat(), slot=f"{start:%H%M}",
                    minutes=alt["duration_minutes"], month=None)
        if data.get("item") and self.item_offered(turn, data["item"]) is None:
            data.pop("item")
        ready = "item" in data and data.get("name") and data.get("phone")
        self.enter(turn, "confirm" if ready else "equipment")

    # --- The waitlist -----------------------------------------------------------------------------

    def buttons(self) -> dict:
        return {**super().buttons(), **self.waitlist_buttons()}

    def wait_request(self, turn: Turn) -> dict:
        data = turn.dialog.data
        return {"cabinet": data.get("cabinet"), "day": data.get("day"), "slot": data.get("slot"),
                "minutes": data.get("minutes"), "name": data.get("name"), "phone": data.get("phone")}

    def join_wait(self, turn: Turn, request: dict):
        cabinet = Cabinet.objects.filter(pk=request.get("cabinet"), is_active=True).first()
        if cabinet is None or not request.get("minutes"):
            raise BookingError("inactive", _("This cabinet is no longer available."))
        slot = request["slot"]
        starts_at = datetime.combine(date.fromisoformat(request["day"]), time(int(slot[:2]), int(slot[2:])),
                                     tzinfo=clinic_zone())
        return cabinet_wait_join(cabinet=cabinet, starts_at=starts_at, duration_minutes=int(request["minutes"]),
                                 client_name=request["name"], client_phone=request["phone"], actor=turn.actor,
                                 channel=Channel.BOT, now=turn.now)

    def accept_wait(self, turn: Turn, wait):
        return cabinet_wait_accept(wait=wait, actor=turn.actor, now=turn.now)

    def my_waits(self, turn: Turn) -> list:
        return waits_for(account=turn.account)

    # --- Bookings ---------------------------------------------------------------------------------

    def load(self, booking_id: int):
        return (CabinetBooking.objects.select_related("cabinet", "series")
                .prefetch_related("equipment_bookings__item").filter(pk=booking_id).first())

    def card(self, booking, *, for_manager: bool = False) -> str:
        return with_series(booking, texts.cabinet_card(booking, for_manager=for_manager))

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
