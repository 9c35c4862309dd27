"""The equipment bot: whole-day bookings of items. Item → start date → end date or Single day → units →
name → phone → Confirm. Availability comes from equipment.availability; every rule from equipment.services."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from booking_site.bookings import Status
from booking_site.channels import Channel
from booking_site.errors import BookingError
from booking_site.scheduling import add_months, date_range
from equipment import rules as equipment_rules
from equipment.attendance import (
    equipment_booking_confirm_attendance,
    equipment_booking_mark_no_show,
)
from equipment.availability import bookable_items_for_clients, equipment_grid
from equipment.models import EquipmentBooking, Item
from equipment.services import (
    check_dates,
    equipment_booking_approve,
    equipment_booking_cancel,
    equipment_booking_create,
    equipment_booking_reject,
    upcoming_for_requester,
)
from equipment.waitlist import equipment_wait_accept, equipment_wait_join, waits_for
from integrations import texts
from integrations.telegram import alternatives
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.attendance import SCHEDULE_STATUSES
from integrations.telegram.bots.base import BaseFlow
from integrations.telegram.conversation import Turn
from integrations.telegram.waitlist import WaitlistButtons
from integrations.texts import local

SCHEDULE_DAYS = 30
NAME_SHOWN = 40


def _short(name: str) -> str:
    return name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "…"


# Telegram allows 100 buttons in a message; the units step keeps room for its navigation row.
MAX_UNIT_BUTTONS = 90

class EquipmentFlow(WaitlistButtons, BaseFlow):
    bot = "equipment"
    prefix = "eq"
    rules = equipment_rules
    first_step = "item"
    accepts = {
        "item": ("item", "page"),
        "start": ("day", "month"),
        "end": ("end", "month", "single"),
        "units": ("units",),
        "confirm": ("confirm",),
        "alternatives": ("alt",),
    }

    def commands(self) -> dict:
        return {**super().commands(), "schedule": self.cmd_schedule, "catalogue": self.cmd_catalogue,
                "catalog": self.cmd_catalogue}

    def menu_labels(self) -> dict:
        return {**super().menu_labels(), str(texts.SCHEDULE): self.cmd_schedule,
                str(texts.CATALOGUE): self.cmd_catalogue}

    def buttons(self) -> dict:
        return {**super().buttons(), "sch": self.btn_schedule, "schp": self.btn_schedule_page,
                "bk": self.btn_book_item, **self.waitlist_buttons()}

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
        return self.today(turn) + timedelta(days=settings.EQUIPMENT_MAX_ADVANCE_DAYS)

    # --- Wizard steps -----------------------------------------------------------------------------

    def begin(self, turn: Turn) -> None:
        self.enter(turn, "item", new=True)

    def show_item(self, turn: Turn, new: bool = False) -> None:
        items = list(self.items(turn))
        if not items:
            turn.dialog.reset()
            turn.say(_("There is no equipment to book at the moment."), self.menu(turn))
            return
        today = self.today(turn)
        grid = equipment_grid(items=items, start_date=today, end_date=today)
        entries = [(_("%(name)s · %(free)s of %(total)s free today") % {
            "name": _short(item.name), "free": grid.free(item.pk, today), "total": item.quantity},
            f"w:item:{item.pk}") for item in items]
        rows, page = kb.paged(entries, page=int(turn.dialog.data.get("page", 0)))
        turn.dialog.data["page"] = page
        turn.screen(_("🏢 Choose the equipment:"), kb.inline([*rows, kb.nav_row(back=False)]), new=new)

    def pick_page(self, turn: Turn, value: str) -> None:
        turn.dialog.data["page"] = int(value) if value.lstrip("-").isdigit() else 0
        self.show_item(turn)

    def pick_item(self, turn: Turn, value: str) -> None:
        item = self.items(turn).filter(pk=int(value)).first() if value.isdigit() else None
        if item is None:
            turn.notice(_("This equipment is no longer available."))
            self.show_item(turn)
            return
        turn.dialog.data.update(item=item.pk, month=None, start=None, end=None, units=None)
        self.enter(turn, "start")

    def _month(self, turn: Turn, anchor: date) -> tuple[int, int]:
        parsed = kb.parse_month(turn.dialog.data.get("month") or "")
        return parsed or (anchor.year, anchor.month)

    def _calendar(self, turn: Turn, *, first: date, last: date, full_label: str = "✖", day_verb: str = "day"):
        """The month grid for the current item: days outside first..last are inert, full days marked."""
        item = self.item(turn)
        year, month = self._month(turn, first)
        month_start = date(year, month, 1)
        month_end = date(*add_months(year, month, 1), 1) - timedelta(days=1)
        grid = equipment_grid(items=[item], start_date=max(month_start, first), end_date=min(month_end, last))

        def day_button(day: date) -> tuple[str, bool]:
            if day < first or day > last:
                return "·", False
            if grid.free(item.pk, day) < 1:
                return full_label, False
            return str(day.day), True

        return kb.calendar(year=year, month=month, day_button=day_button, first_month=(first.year, first.month),
                           last_month=(last.year, last.month), day_verb=day_verb)

    def show_start(self, turn: Turn, new: bool = False) -> None:
        if self.item(turn) is None:
            self.enter(turn, "item", new=new)
            return
        rows = self._calendar(turn, first=self.today(turn), last=self.horizon(turn))
        turn.screen(self.summary(turn) + "\n\n" + _("📅 Choose the first day (✖ — no free units):"),
                    kb.inline([*rows, kb.nav_row()]), new=new)

    def show_end(self, turn: Turn, new: bool = False) -> None:
        start = date.fromisoformat(turn.dialog.data["start"])
        last = min(self.horizon(turn), start + timedelta(days=settings.EQUIPMENT_MAX_RANGE_DAYS - 1))
        rows = self._calendar(turn, first=start, last=last, day_verb="end")
        text = self.summary(turn) + "\n\n" + _("Choose the last day, or Single day:")
        turn.screen(text, kb.inline([[kb.button(texts.SINGLE_DAY, "w:single")], *rows, kb.nav_row()]), new=new)

    def pick_month(self, turn: Turn, value: str) -> None:
        if kb.parse_month(value) is None:
            turn.notice(_("This button is out of date."))
            return
        turn.dialog.data["month"] = value
        getattr(self, f"show_{turn.dialog.state}")(turn)

    def pick_day(self, turn: Turn, value: str) -> None:
        day = kb.parse_day(value)
        item = self.item(turn)
        if day is None or item is None:
            turn.notice(_("This button is out of date."))
            return
        if turn.dialog.state == "start":
            start, end = day, day
        else:
            start, end = date.fromisoformat(turn.dialog.data["start"]), day
        try:
            check_dates(start_date=start, end_date=end, now=turn.now)
        except BookingError as exc:
            turn.notice(_("Choose another day."))
            turn.say(exc.message)
            return
        grid = equipment_grid(items=[item], start_date=start, end_date=end)
        full = grid.full_days(item.pk, 1)
        if full:
            turn.notice(_("Choose another day."))
            turn.say(_("%(item)s has no free units on %(days)s. Please choose other dates.") % {
                "item": item.name, "days": ", ".join(texts.day_text(d) for d in full[:10])})
            return
        if turn.dialog.state == "start":
            turn.dialog.data.update(start=start.isoformat(), end=None, month=None)
            self.enter(turn, "end")
        else:
            turn.dialog.data["end"] = end.isoformat()
            self.after_dates(turn, grid.free_in_range(item.pk, start, end))

    def pick_end(self, turn: Turn, value: str) -> None:
        self.pick_day(turn, value)

    def pick_single(self, turn: Turn, value: str) -> None:
        self.pick_day(turn, turn.dialog.data["start"].replace("-", ""))

    def after_dates(self, turn: Turn, free: int) -> None:
        turn.dialog.data["free"] = free
        if free > 1:
            self.enter(turn, "units")
        else:
            turn.dialog.data["units"] = 1
            self.enter(turn, "name")

    def show_units(self, turn: Turn, new: bool = False) -> None:
        most = min(int(turn.dialog.data.get("free") or 1), MAX_UNIT_BUTTONS)
        buttons = [kb.button(str(n), f"w:units:{n}") for n in range(1, most + 1)]
        turn.screen(self.summary(turn) + "\n\n" + _("How many units? Free on every chosen day: %(n)s.") % {
            "n": turn.dialog.data.get("free")}, kb.inline([*kb.chunks(buttons, 8), kb.nav_row()]), new=new)

    def pick_units(self, turn: Turn, value: str) -> None:
        if not value.isdigit() or not 1 <= int(value) <= min(int(turn.dialog.data.get("free") or 1), MAX_UNIT_BUTTONS):
            turn.notice(_("This button is out of date."))
            return
        turn.dialog.data["units"] = int(value)
        self.enter(turn, "name")

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

    def create(self, turn: Turn) -> EquipmentBooking:
        data = turn.dialog.data
        item = Item.objects.filter(pk=data.get("item")).first()
        if item is None:
            raise BookingError("not_found", _("This equipment is no longer available."))
        return equipment_booking_create(
            item=item, start_date=date.fromisoformat(data["start"]), end_date=date.fromisoformat(data["end"]),
            units=int(data.get("units") or 1), client_name=data["name"], client_phone=data["phone"],
            actor=turn.actor, channel=Channel.BOT, now=turn.now,
        )

    def on_refused(self, turn: Turn, exc: BookingError) -> None:
        waitable = exc.code == "no_capacity" and self.can_wait(turn)
        self.remember_wait_request(turn, waitable)
        if alternatives.offer(turn, self, exc, trail=["item", "start"], clear={"start": None, "end": None,
                                                                              "month": None}):
            return
        if waitable:
            self.offer_waitlist(turn, exc.message)
        else:
            turn.say(exc.message)
        if exc.code in ("no_capacity", "date_in_past", "too_far_ahead", "range_too_long"):
            turn.dialog.data.update(start=None, end=None, month=None)
            turn.dialog.data["trail"] = ["item"]
            self.enter(turn, "start", new=True)

    def show_alternatives(self, turn: Turn, new: bool = False) -> None:
        def label(alt: dict) -> str:
            dates = texts.dates_text(date.fromisoformat(alt["start_date"]), date.fromisoformat(alt["end_date"]))
            return f"📅 {dates} · {_short(alt['item_name'])}"

        alternatives.show(turn, label, new=new, extra_rows=self.join_rows(turn))

    def pick_alt(self, turn: Turn, value: str) -> None:
        """One tap on an alternative: its item and dates are filled in, then on to Confirm."""
        alt = alternatives.chosen(turn, value)
        item = self.items(turn).filter(pk=alt["item_id"]).first() if alt else None
        if alt is None or item is None:
            if alt is not None:
                turn.notice(_("This equipment is no longer available."))
            return
        data = turn.dialog.data
        data.update(item=item.pk, start=alt["start_date"], end=alt["end_date"], units=alt["units"], month=None)
        self.enter(turn, "confirm" if data.get("name") and data.get("phone") else "name")

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

    # --- Schedule and catalogue --------------------------------------------------------------------

    def cmd_schedule(self, turn: Turn, args: str) -> None:
        markup = self._schedule_choice(turn, page=0)
        if markup is None:
            turn.say(_("There is no equipment to book at the moment."), self.menu(turn))
            return
        turn.say(_("📅 Whose schedule for the next 30 days?"), markup)

    def btn_schedule_page(self, turn: Turn, page: int) -> None:
        markup = self._schedule_choice(turn, page=page)
        if markup is None:
            turn.notice(_("There is no equipment to book at the moment."))
            return
        turn.edit(_("📅 Whose schedule for the next 30 days?"), markup)

    def _schedule_choice(self, turn: Turn, *, page: int):
        entries = [(_short(item.name), f"eq:sch:{item.pk}") for item in self.items(turn)]
        if not entries:
            return None
        rows, _page = kb.paged(entries, page=page, page_data="eq:schp")
        return kb.inline(rows)

    def btn_schedule(self, turn: Turn, item_id: int) -> None:
        item = self.items(turn).filter(pk=item_id).first()
        if item is None:
            turn.notice(_("This equipment is no longer available."))
            return
        today = self.today(turn)
        last = today + timedelta(days=SCHEDULE_DAYS - 1)
        grid = equipment_grid(items=[item], start_date=today, end_date=last)
        lines = [_("📅 %(item)s, %(n)s units:") % {"item": item.name, "n": item.quantity}]
        for day in date_range(today, last):
            free = grid.free(item.pk, day)
            lines.append(f"{day:%d.%m} " + (_("✅ %(n)s free") % {"n": free} if free else _("❌ busy")))
        turn.say("\n".join(lines), kb.inline([[kb.button(texts.BOOK_THIS, f"eq:bk:{item.pk}")]]))

    def btn_book_item(self, turn: Turn, item_id: int) -> None:
        self.cmd_book(turn, "")
        if turn.dialog.state != "item":
            return
        turn.outcome.replies.clear()
        item = self.items(turn).filter(pk=item_id).first()
        if item is None:
            if item_id:
                turn.notice(_("This equipment is no longer available."))
            self.show_item(turn, new=True)
            return
        turn.dialog.data.update(item=item.pk, month=None)
        self.enter(turn, "start", new=True)

    def cmd_catalogue(self, turn: Turn, args: str) -> None:
        items = list(self.items(turn))
        if not items:
            turn.say(_("There is no equipment to book at the moment."), self.menu(turn))
            return
        lines = [_("💼 Our equipment:")]
        for item in items:
            units = _("units: %(n)s") % {"n": item.quantity}
            lines.append(f"• {item.name} ({units})" + (f"\n  {item.description[:200]}" if item.description else ""))
        *first, last = texts.split_message(lines)
        for message in first:
            turn.say(message)
        turn.say(last, kb.inline([[kb.button(texts.BOOK, "eq:bk:0")]]))

    # --- Bookings ---------------------------------------------------------------------------------

    def load(self, booking_id: int):
        return (EquipmentBooking.objects.select_related("item")
                .filter(pk=booking_id, cabinet_booking__isnull=True).first())

    def card(self, booking, *, for_manager: bool = False) -> str:
        return texts.equipment_card(booking, for_manager=for_manager)

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
