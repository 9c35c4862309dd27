"""The cabinet bot's own steps: cabinet → date → start slot → duration → equipment or No equipment (then the
client's steps), and the alternatives a refusal offers. The chosen slot, then the chosen duration, is held for
the user with the core's slot hold while they finish the dialog."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from cabinets.availability import cabinet_day, cabinets_days
from cabinets.models import Cabinet
from cabinets.services import slot_hold_take
from equipment.availability import items_free_in_window, offered_with_cabinet
from equipment.models import Item
from integrations import texts
from integrations.telegram import alternatives, waitlist
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.flow import Step
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.errors import BookingError
from kernel.scheduling import add_months

TAKEN_CODES = ("held", "slot_taken")


def show_cabinet(flow, turn: Turn, new: bool = False) -> None:
    cabinets = list(Cabinet.objects.filter(is_active=True).order_by("sort_order", "id")[:50])
    if not cabinets:
        turn.dialog.reset()
        turn.say(_("There are no cabinets to book at the moment."), flow.menu(turn))
        return
    rows = [[kb.button(cabinet.name[:60], f"w:cab:{cabinet.pk}")] for cabinet in cabinets]
    turn.screen(_("🚪 Choose a cabinet:"), kb.inline([*rows, kb.nav_row(back=False)]), new=new)


def pick_cab(flow, turn: Turn, value: str) -> None:
    cabinet = Cabinet.objects.filter(pk=int(value), is_active=True).first() if value.isdigit() else None
    if cabinet is None:
        turn.notice(_("This cabinet is no longer available."))
        show_cabinet(flow, turn)
        return
    turn.dialog.data.update(cabinet=cabinet.pk, month=None, day=None, slot=None, minutes=None)
    flow.enter(turn, "date")


def month_rows(flow, turn: Turn, cabinet, *, day_verb: str | None = None) -> list:
    """The calendar of the dialog's month for `cabinet`: closed (✖) and fully booked (—) days cannot be chosen.
    The wizard and the free-text date question show the same one."""
    first, last = flow.resource.today(turn), flow.resource.last_day(turn)
    year, month = kb.parse_month(turn.dialog.data.get("month") or "") or (first.year, first.month)
    month_start = date(year, month, 1)
    month_end = date(*add_months(year, month, 1), 1) - timedelta(days=1)
    days = cabinets_days(cabinets=[cabinet], start_date=max(month_start, first), end_date=min(month_end, last),
                         now=turn.now, holder_id=turn.account.pk).get(cabinet.pk, {})

    def day_button(day: date) -> tuple[str, bool]:
        found = days.get(day)
        if found is None:
            return "·", False
        if found.closed_reason:
            return "✖", False
        if not found.free_slots:
            return "—", False
        return str(day.day), True

    extra = {"day_verb": day_verb} if day_verb else {}
    return kb.calendar(year=year, month=month, day_button=day_button, first_month=(first.year, first.month),
                       last_month=(last.year, last.month), **extra)


def show_date(flow, turn: Turn, new: bool = False) -> None:
    cabinet = flow.resource.cabinet(turn)
    if cabinet is None:
        flow.enter(turn, "cabinet", new=new)
        return
    rows = month_rows(flow, turn, cabinet)
    turn.screen(flow.summary(turn) + "\n\n" + _("📅 Choose a date (✖ — closed, — — fully booked):"),
                kb.inline([*rows, kb.nav_row()]), new=new)


def pick_month(flow, turn: Turn, value: str) -> None:
    if kb.parse_month(value) is None:
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["month"] = value
    show_date(flow, turn)


def pick_day(flow, turn: Turn, value: str) -> None:
    day, cabinet = kb.parse_day(value), flow.resource.cabinet(turn)
    if day is None or cabinet is None:
        turn.notice(_("This button is out of date."))
        return
    if day < flow.resource.today(turn):
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
    flow.enter(turn, "slot")


def show_slot(flow, turn: Turn, new: bool = False) -> None:
    cabinet, day = flow.resource.cabinet(turn), flow.resource.day(turn)
    found = cabinet_day(cabinet=cabinet, day=day, now=turn.now, holder_id=turn.account.pk)
    buttons = [kb.button(f"{texts.hhmm(slot.start)}", f"w:slot:{local(slot.start):%H%M}")
               for slot in found.free_slots]
    if not buttons:
        text = _("%(cabinet)s has no free time on %(day)s any more. Press Back to choose another date.") % {
            "cabinet": cabinet.name, "day": texts.day_text(day)}
    else:
        text = flow.summary(turn) + "\n\n" + _("🕐 Choose the start time:")
    turn.screen(text, kb.inline([*kb.chunks(buttons, 4), kb.nav_row()]), new=new)


def _take_hold(flow, turn: Turn, minutes: int | None) -> bool:
    try:
        slot_hold_take(cabinet=flow.resource.cabinet(turn), starts_at=flow.resource.chosen_start(turn),
                       account=turn.account, now=turn.now, duration_minutes=minutes)
    except BookingError as exc:
        turn.notice(_("Not available."))
        if exc.code in TAKEN_CODES and minutes is None:
            turn.say(_("Sorry, that time has just been taken by someone else. Please choose another time."))
        else:
            turn.say(exc.message)
        return False
    return True


def pick_slot(flow, turn: Turn, value: str) -> None:
    if len(value) != 4 or not value.isdigit() or int(value[:2]) > 23 or int(value[2:]) > 59:
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data.update(slot=value, minutes=None)
    if not _take_hold(flow, turn, None):
        turn.dialog.data["slot"] = None
        show_slot(flow, turn, new=True)
        return
    flow.enter(turn, "duration")


def show_duration(flow, turn: Turn, new: bool = False) -> None:
    found = cabinet_day(cabinet=flow.resource.cabinet(turn), day=flow.resource.day(turn), now=turn.now,
                        holder_id=turn.account.pk)
    slot = found.slot_at(flow.resource.chosen_start(turn))
    durations = slot.durations if slot is not None and slot.available else []
    buttons = [kb.button(texts.duration_text(minutes), f"w:dur:{minutes}") for minutes in durations]
    text = flow.summary(turn) + "\n\n" + _("⏱ How long? (Only the lengths that fit are shown.)")
    turn.screen(text, kb.inline([*kb.chunks(buttons, 3), kb.nav_row()]), new=new)


def pick_dur(flow, turn: Turn, value: str) -> None:
    if not value.isdigit() or not 0 < int(value) <= 24 * 60:
        turn.notice(_("This button is out of date."))
        return
    if not _take_hold(flow, turn, int(value)):
        return
    turn.dialog.data["minutes"] = int(value)
    flow.enter(turn, "equipment")


def show_equipment(flow, turn: Turn, new: bool = False) -> None:
    items = list(Item.objects.filter(offered_with_cabinet(turn.dialog.data["cabinet"]))
                 .order_by("sort_order", "id"))
    if not items and turn.dialog.state == "equipment":
        turn.dialog.data["item"] = 0
        turn.dialog.data["trail"].pop()
        flow.enter(turn, "name", new=new)
        return
    starts_at, ends_at = flow.resource.window(turn)
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
    turn.screen(flow.summary(turn) + "\n\n" + _("🛠 Do you need equipment for this time?"),
                kb.inline([*rows, kb.nav_row()]), new=new)


def pick_eq(flow, turn: Turn, value: str) -> None:
    item = flow.resource.item_offered(turn, int(value)) if value.isdigit() else None
    if item is None:
        turn.notice(_("This equipment is no longer available."))
        return
    turn.dialog.data["item"] = item.pk
    flow.enter(turn, "name")


def pick_page(flow, turn: Turn, value: str) -> None:
    turn.dialog.data["eqpage"] = int(value) if value.lstrip("-").isdigit() else 0
    show_equipment(flow, turn)


def pick_noeq(flow, turn: Turn, value: str) -> None:
    turn.dialog.data["item"] = 0
    flow.enter(turn, "name")


def show_alternatives(flow, turn: Turn, new: bool = False) -> None:
    def label(alt: dict) -> str:
        start = datetime.fromisoformat(alt["starts_at"])
        window = texts.window_text(start, start + timedelta(minutes=alt["duration_minutes"]))
        return f"🕐 {window} · {alt['cabinet_name'][:40]}"

    alternatives.show(turn, label, new=new, extra_rows=waitlist.join_rows(flow, turn))


def pick_alt(flow, turn: Turn, value: str) -> None:
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
    if data.get("item") and flow.resource.item_offered(turn, data["item"]) is None:
        data.pop("item")
    ready = "item" in data and data.get("name") and data.get("phone")
    flow.enter(turn, "confirm" if ready else "equipment")


STEPS = {
    "cabinet": Step(show=show_cabinet, picks={"cab": pick_cab}),
    "date": Step(show=show_date, picks={"day": pick_day, "month": pick_month}),
    "slot": Step(show=show_slot, picks={"slot": pick_slot}),
    "duration": Step(show=show_duration, picks={"dur": pick_dur}),
    "equipment": Step(show=show_equipment, picks={"eq": pick_eq, "noeq": pick_noeq, "page": pick_page}),
    "alternatives": Step(show=show_alternatives, picks={"alt": pick_alt}),
}
