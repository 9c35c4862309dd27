"""The equipment bot's own steps: item → first day → last day or Single day → units (then the client's steps),
and the alternatives a refusal offers. Availability comes from equipment.availability, the date rules from
equipment.services."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from equipment.availability import equipment_grid
from equipment.rules import check_dates, max_range_days
from integrations import texts
from integrations.telegram import alternatives, waitlist
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.flow import Step
from integrations.telegram.conversation import Turn
from kernel.errors import BookingError
from kernel.scheduling import add_months

NAME_SHOWN = 40
# Telegram allows 100 buttons in a message; the units step keeps room for its navigation row.
MAX_UNIT_BUTTONS = 90


def short(name: str) -> str:
    return name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "…"


def show_item(flow, turn: Turn, new: bool = False) -> None:
    items = list(flow.resource.items(turn))
    if not items:
        turn.dialog.reset()
        turn.say(_("There is no equipment to book at the moment."), flow.menu(turn))
        return
    today = flow.resource.today(turn)
    grid = equipment_grid(items=items, start_date=today, end_date=today)
    entries = [(_("%(name)s · %(free)s of %(total)s free today") % {
        "name": short(item.name), "free": grid.free(item.pk, today), "total": item.quantity},
        f"w:item:{item.pk}") for item in items]
    rows, page = kb.paged(entries, page=int(turn.dialog.data.get("page", 0)))
    turn.dialog.data["page"] = page
    turn.screen(_("🏢 Choose the equipment:"), kb.inline([*rows, kb.nav_row(back=False)]), new=new)


def pick_page(flow, turn: Turn, value: str) -> None:
    turn.dialog.data["page"] = int(value) if value.lstrip("-").isdigit() else 0
    show_item(flow, turn)


def pick_item(flow, turn: Turn, value: str) -> None:
    item = flow.resource.items(turn).filter(pk=int(value)).first() if value.isdigit() else None
    if item is None:
        turn.notice(_("This equipment is no longer available."))
        show_item(flow, turn)
        return
    turn.dialog.data.update(item=item.pk, month=None, start=None, end=None, units=None)
    flow.enter(turn, "start")


def _calendar(flow, turn: Turn, *, first: date, last: date, full_label: str = "✖", day_verb: str = "day"):
    """The month grid for the current item: days outside first..last are inert, full days marked."""
    item = flow.resource.item(turn)
    year, month = kb.parse_month(turn.dialog.data.get("month") or "") or (first.year, first.month)
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


def show_start(flow, turn: Turn, new: bool = False) -> None:
    if flow.resource.item(turn) is None:
        flow.enter(turn, "item", new=new)
        return
    rows = _calendar(flow, turn, first=flow.resource.today(turn), last=flow.resource.horizon(turn))
    turn.screen(flow.summary(turn) + "\n\n" + _("📅 Choose the first day (✖ — no free units):"),
                kb.inline([*rows, kb.nav_row()]), new=new)


def show_end(flow, turn: Turn, new: bool = False) -> None:
    start = date.fromisoformat(turn.dialog.data["start"])
    last = min(flow.resource.horizon(turn), start + timedelta(days=max_range_days() - 1))
    rows = _calendar(flow, turn, first=start, last=last, day_verb="end")
    text = flow.summary(turn) + "\n\n" + _("Choose the last day, or Single day:")
    turn.screen(text, kb.inline([[kb.button(texts.SINGLE_DAY, "w:single")], *rows, kb.nav_row()]), new=new)


def pick_month(flow, turn: Turn, value: str) -> None:
    if kb.parse_month(value) is None:
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["month"] = value
    flow.show_current(turn)


def pick_day(flow, turn: Turn, value: str) -> None:
    day = kb.parse_day(value)
    item = flow.resource.item(turn)
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
        flow.enter(turn, "end")
    else:
        turn.dialog.data["end"] = end.isoformat()
        _after_dates(flow, turn, grid.free_in_range(item.pk, start, end))


def pick_single(flow, turn: Turn, value: str) -> None:
    pick_day(flow, turn, turn.dialog.data["start"].replace("-", ""))


def _after_dates(flow, turn: Turn, free: int) -> None:
    turn.dialog.data["free"] = free
    if free > 1:
        flow.enter(turn, "units")
    else:
        turn.dialog.data["units"] = 1
        flow.enter(turn, "name")


def show_units(flow, turn: Turn, new: bool = False) -> None:
    most = min(int(turn.dialog.data.get("free") or 1), MAX_UNIT_BUTTONS)
    buttons = [kb.button(str(n), f"w:units:{n}") for n in range(1, most + 1)]
    turn.screen(flow.summary(turn) + "\n\n" + _("How many units? Free on every chosen day: %(n)s.") % {
        "n": turn.dialog.data.get("free")}, kb.inline([*kb.chunks(buttons, 8), kb.nav_row()]), new=new)


def pick_units(flow, turn: Turn, value: str) -> None:
    if not value.isdigit() or not 1 <= int(value) <= min(int(turn.dialog.data.get("free") or 1), MAX_UNIT_BUTTONS):
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["units"] = int(value)
    flow.enter(turn, "name")


def show_alternatives(flow, turn: Turn, new: bool = False) -> None:
    def label(alt: dict) -> str:
        dates = texts.dates_text(date.fromisoformat(alt["start_date"]), date.fromisoformat(alt["end_date"]))
        return f"📅 {dates} · {short(alt['item_name'])}"

    alternatives.show(turn, label, new=new, extra_rows=waitlist.join_rows(flow, turn))


def pick_alt(flow, turn: Turn, value: str) -> None:
    """One tap on an alternative: its item and dates are filled in, then on to Confirm."""
    alt = alternatives.chosen(turn, value)
    item = flow.resource.items(turn).filter(pk=alt["item_id"]).first() if alt else None
    if alt is None or item is None:
        if alt is not None:
            turn.notice(_("This equipment is no longer available."))
        return
    data = turn.dialog.data
    data.update(item=item.pk, start=alt["start_date"], end=alt["end_date"], units=alt["units"], month=None)
    flow.enter(turn, "confirm" if data.get("name") and data.get("phone") else "name")


STEPS = {
    "item": Step(show=show_item, picks={"item": pick_item, "page": pick_page}),
    "start": Step(show=show_start, picks={"day": pick_day, "month": pick_month}),
    "end": Step(show=show_end, picks={"end": pick_day, "month": pick_month, "single": pick_single}),
    "units": Step(show=show_units, picks={"units": pick_units}),
    "alternatives": Step(show=show_alternatives, picks={"alt": pick_alt}),
}
