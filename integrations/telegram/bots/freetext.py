"""Booking by free text in both bots: a typed message outside a dialog step («завтра в 15:00 кабинет 2 на час»)
is read by integrations.freetext against the bot's catalogue and the clinic's now. What it leaves missing or
ambiguous is asked for, one thing at a time, with the wizard's own keyboards (which of the candidates, the
calendar, the free start times — of the named part of the day, the lengths that fit); then the card of what was
understood, with its price when priced, and Confirm / Change.

Confirm books through the wizard's own Confirm (`steps.client.pick_confirm`: the adapter's `create` and its
refusals with alternatives), with the name and phone of the account's last booking; without them the wizard's
name and phone steps follow with the request filled in. Change restarts the wizard with the resource chosen, at
its calendar on the month that was understood. Nothing is booked without Confirm.

The request being built lives in the dialog data under "ft" (ISO dates, "HHMM" times) while its steps go on."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils.translation import gettext as _

from cabinets.availability import cabinet_day
from cabinets.models import Cabinet
from equipment.availability import offered_with_cabinet
from equipment.models import Item
from integrations import texts
from integrations.freetext import booking
from integrations.freetext.parser import DATE, DURATION, RESOURCE, TIME, WITH, Parse
from integrations.freetext.resources import CABINET, EQUIPMENT
from integrations.prefill import last_client
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.flow import Step
from integrations.telegram.bots.freetext_request import (
    anything,
    as_parse,
    catalogue,
    examples,
    kind_of,
    missing,
    read,
    request_of,
    say_help,
)
from integrations.telegram.bots.steps import cabinets as cabinet_steps
from integrations.telegram.bots.steps import client
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.clock import clinic_zone
from kernel.contacts import format_phone
from kernel.errors import BookingError
from kernel.lifecycle import check_requester

SHOWN = 30  # candidates offered as buttons
# The wizard's steps before its name step, for Back once the request is handed over to it.
WIZARD_TRAIL = {EQUIPMENT: ["item", "start", "end", "units"], CABINET: ["cabinet", "date", "slot", "duration",
                                                                       "equipment"]}


def on_text(flow, turn: Turn, text: str) -> None:
    """A typed message outside a dialog step: a booking request, or help when nothing in it was understood."""
    found, entries = read(flow, turn, text)
    if not anything(found):
        if turn.dialog.expired:
            flow.say_expired(turn)
        else:
            say_help(flow, turn, entries)
        return
    if not found.understood:
        turn.say(_("I did not understand “%(words)s”. Please write the request again.") % {
            "words": " ".join(found.unknown)} + "\n\n" + examples(flow, entries), flow.menu(turn))
        return
    try:
        check_requester(actor=turn.actor, holding_count=lambda: 0)
    except BookingError as exc:
        turn.say(exc.message, flow.menu(turn))
        return
    flow.resource.release(turn)
    turn.dialog.reset()
    turn.dialog.data = {"ft": request_of(flow, found), "trail": []}
    advance(flow, turn, new=True)


def advance(flow, turn: Turn, *, new: bool = False) -> None:
    """On to the step for the first thing missing, or the card."""
    request = turn.dialog.data["ft"]
    step = {RESOURCE: "ftres", DATE: "ftdate", TIME: "fttime", DURATION: "ftdur", WITH: "fteq", None: "ftcard"}[
        missing(request)]
    if step == "ftdate" and request["kind"] == EQUIPMENT:
        _to_wizard(flow, turn, "start", new=new)  # the wizard's first-day and last-day calendars
        return
    flow.enter(turn, step, new=new)


# --- The questions ----------------------------------------------------------------------------------------------

def _question(flow, turn: Turn) -> str:
    request = turn.dialog.data["ft"]
    found = as_parse(request)
    entries = catalogue(flow, turn)
    if missing(request) == RESOURCE:
        found = Parse(text="", kind=request["kind"], ids=tuple(request.get("cands") or ()),
                      unknown=found.unknown, missing=(RESOURCE,), zone=found.zone)
    elif missing(request) == WITH:
        found = Parse(text="", kind=CABINET, ids=found.ids, equipment_ids=tuple(request["items"]),
                      missing=(WITH,), zone=found.zone)
    else:
        field = missing(request)
        found = Parse(text="", kind=request["kind"], ids=found.ids, date_from=found.date_from,
                      daypart=found.daypart, missing=(field,) if field else (), zone=found.zone)
    card = booking.card_text(as_parse(request), entries)
    return card + "\n\n" + (booking.question(found, entries) or "")


def _resources(flow, turn: Turn) -> list[tuple[int, str]]:
    if kind_of(flow) == EQUIPMENT:
        return [(item.pk, item.name) for item in flow.resource.items(turn)]
    return [(cabinet.pk, cabinet.name) for cabinet in Cabinet.objects.filter(is_active=True)
            .order_by("sort_order", "id")]


def show_resource(flow, turn: Turn, new: bool = False) -> None:
    request = turn.dialog.data["ft"]
    choices = _resources(flow, turn)
    if request.get("cands"):
        choices = [(pk, name) for pk, name in choices if pk in request["cands"]]
    if not choices:
        turn.dialog.reset()
        turn.say(flow.resource.gone_text(), flow.menu(turn))
        return
    rows = [[kb.button(name[:60], f"w:ftres:{pk}")] for pk, name in choices[:SHOWN]]
    turn.screen(_question(flow, turn), kb.inline([*rows, kb.nav_row(back=False)]), new=new)


def pick_resource(flow, turn: Turn, value: str) -> None:
    chosen = dict(_resources(flow, turn)).get(int(value)) if value.isdigit() else None
    if chosen is None:
        turn.notice(flow.resource.gone_text())
        return
    request = turn.dialog.data["ft"]
    request.update(id=int(value), cands=[])
    if request["kind"] == CABINET and request.get("item") and _offered(int(value), request["item"]) is None:
        request["item"] = 0  # that item does not go with this cabinet: the card says No equipment
    advance(flow, turn)


def _nav(turn: Turn) -> list:
    """Back only when an earlier question of this request was asked (Back from the first one would cancel)."""
    return kb.nav_row(back=len(turn.dialog.data.get("trail") or []) > 1)


def _offered(cabinet_id: int, item_id: int) -> Item | None:
    return Item.objects.filter(offered_with_cabinet(cabinet_id), pk=item_id).first()


def _cabinet(turn: Turn) -> Cabinet | None:
    return Cabinet.objects.filter(pk=turn.dialog.data["ft"].get("id"), is_active=True).first()


def show_date(flow, turn: Turn, new: bool = False) -> None:
    """The cabinet wizard's calendar: closed and fully booked days cannot be chosen."""
    cabinet = _cabinet(turn)
    if cabinet is None:
        turn.dialog.data["ft"]["id"] = None
        flow.enter(turn, "ftres", new=new)
        return
    rows = cabinet_steps.month_rows(flow, turn, cabinet, day_verb="ftday")
    turn.screen(_question(flow, turn), kb.inline([*rows, _nav(turn)]), new=new)


def pick_month(flow, turn: Turn, value: str) -> None:
    if kb.parse_month(value) is None:
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["month"] = value
    flow.show_current(turn)


def pick_day(flow, turn: Turn, value: str) -> None:
    day = kb.parse_day(value)
    if day is None or day < flow.resource.today(turn):
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["ft"].update({"from": day.isoformat(), "to": day.isoformat()})
    advance(flow, turn)


def _free_starts(flow, turn: Turn) -> list[datetime]:
    """The day's free start times, within the part of the day that was named (all of them when none was)."""
    request = turn.dialog.data["ft"]
    found = cabinet_day(cabinet=_cabinet(turn), day=date.fromisoformat(request["from"]), now=turn.now,
                        holder_id=turn.account.pk)
    starts = [slot.start for slot in found.free_slots]
    window = booking.daypart_window(as_parse(request))
    if window is not None:
        starts = [start for start in starts if window[0] <= start < window[1]]
    return starts


def show_time(flow, turn: Turn, new: bool = False) -> None:
    if _cabinet(turn) is None:
        turn.dialog.data["ft"]["id"] = None
        flow.enter(turn, "ftres", new=new)
        return
    request = turn.dialog.data["ft"]
    starts = _free_starts(flow, turn)
    if not starts and request.get("daypart"):
        day = texts_day(request["from"])
        turn.say(_("There is no free time %(daypart)s on %(day)s. Here is the rest of the day.") % {
            "daypart": booking.daypart_text(request["daypart"]), "day": day})
        request["daypart"] = None
        starts = _free_starts(flow, turn)
    if not starts:
        turn.say(_("%(cabinet)s has no free time on %(day)s. Please choose another date.") % {
            "cabinet": _cabinet(turn).name, "day": texts_day(request["from"])})
        request.update({"from": None, "to": None, "start": None})
        flow.enter(turn, "ftdate", new=True)
        return
    buttons = [kb.button(f"{local(start):%H:%M}", f"w:fttime:{local(start):%H%M}") for start in starts]
    turn.screen(_question(flow, turn), kb.inline([*kb.chunks(buttons, 4), _nav(turn)]), new=new)


def texts_day(value: str) -> str:
    return texts.day_text(date.fromisoformat(value))


def pick_time(flow, turn: Turn, value: str) -> None:
    if len(value) != 4 or not value.isdigit() or int(value[:2]) > 23 or int(value[2:]) > 59:
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["ft"]["start"] = value
    advance(flow, turn)


def _slot(turn: Turn):
    request = turn.dialog.data["ft"]
    start = datetime.combine(date.fromisoformat(request["from"]),
                             time(int(request["start"][:2]), int(request["start"][2:])), tzinfo=clinic_zone())
    found = cabinet_day(cabinet=_cabinet(turn), day=start.date(), now=turn.now, holder_id=turn.account.pk)
    return found.slot_at(start)


def show_duration(flow, turn: Turn, new: bool = False) -> None:
    """The wizard's duration buttons: only the lengths that fit from the chosen start."""
    if _cabinet(turn) is None:
        turn.dialog.data["ft"]["id"] = None
        flow.enter(turn, "ftres", new=new)
        return
    slot = _slot(turn)
    if slot is None or not slot.available or not slot.durations:
        turn.say(_("Sorry, that time is not free. Please choose another time."))
        turn.dialog.data["ft"]["start"] = None
        flow.enter(turn, "fttime", new=True)
        return
    buttons = [kb.button(texts.duration_text(minutes), f"w:ftdur:{minutes}") for minutes in slot.durations]
    turn.screen(_question(flow, turn), kb.inline([*kb.chunks(buttons, 3), _nav(turn)]), new=new)


def pick_duration(flow, turn: Turn, value: str) -> None:
    if not value.isdigit() or not 0 < int(value) <= 24 * 60:
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["ft"]["minutes"] = int(value)
    advance(flow, turn)


def show_item(flow, turn: Turn, new: bool = False) -> None:
    request = turn.dialog.data["ft"]
    items = Item.objects.filter(pk__in=request["items"]).order_by("sort_order", "id")
    rows = [[kb.button(item.name[:60], f"w:fteq:{item.pk}")] for item in items]
    rows.append([kb.button(texts.NO_EQUIPMENT, "w:fteq:0")])
    turn.screen(_question(flow, turn), kb.inline([*rows, _nav(turn)]), new=new)


def pick_item(flow, turn: Turn, value: str) -> None:
    request = turn.dialog.data["ft"]
    if not value.isdigit() or (int(value) and int(value) not in request.get("items", [])):
        turn.notice(_("This button is out of date."))
        return
    request.update(item=int(value), items=[])
    advance(flow, turn)


# --- The card ---------------------------------------------------------------------------------------------------

def show_card(flow, turn: Turn, new: bool = False) -> None:
    request = turn.dialog.data["ft"]
    text = booking.card_text(as_parse(request), catalogue(flow, turn))
    last = last_client(turn.account)
    if last is not None:
        text += "\n👤 " + last.name + "\n📱 " + format_phone(last.phone)
    text += "".join("\n" + line for line in _price_lines(flow, turn, request, last))
    text += "\n\n" + _("Book it?")
    rows = [[kb.button(texts.CONFIRM, "w:ftok"), kb.button(_("✏️ Change"), "w:ftchg")], _nav(turn)]
    turn.screen(text, kb.inline(rows), new=new)


def _price_lines(flow, turn: Turn, request: dict, last) -> list[str]:
    """The price the wizard's Confirm would book it at, for the client of the last booking's phone."""
    try:
        data = _wizard_data(request)
    except booking.NotReady:
        return []
    return client.price_lines(flow, turn, {**data, "phone": last.phone if last is not None else None})


def _wizard_data(request: dict) -> dict:
    found = as_parse(request)
    if request["kind"] == EQUIPMENT:
        return booking.equipment_dialog(found)
    return booking.cabinet_dialog(found)


def pick_confirm(flow, turn: Turn, value: str) -> None:
    """The wizard's Confirm with the request filled in: the same create, the same refusals."""
    request = turn.dialog.data["ft"]
    if request["kind"] == CABINET and request.get("item") and (request.get("units") or 1) > 1:
        turn.notice(_("Not available."))  # the wizard books one unit of an item with a cabinet
        turn.say(_("One unit of equipment can be booked with a cabinet here. Please write the request again, "
                   "or ask a manager for more."))
        return
    try:
        data = _wizard_data(request)
    except booking.NotReady:
        advance(flow, turn)
        return
    last = last_client(turn.account)
    if last is None:
        _to_wizard(flow, turn, "name")
        return
    turn.dialog.data = {**data, "name": last.name, "phone": last.phone,
                        "trail": [*WIZARD_TRAIL[kind_of(flow)], "confirm"]}
    turn.dialog.state = "confirm"
    client.pick_confirm(flow, turn, "")


def _to_wizard(flow, turn: Turn, step: str, *, new: bool = False) -> None:
    """Hand the request to the wizard at `step`: its calendar (equipment dates not understood) or its name step."""
    request = turn.dialog.data["ft"]
    if step == "start":
        turn.dialog.data = {"item": request["id"], "units": request.get("units") or 1, "month": None,
                            "trail": ["item"]}
    else:
        turn.dialog.data = {**_wizard_data(request), "trail": list(WIZARD_TRAIL[kind_of(flow)])}
    flow.enter(turn, step, new=new)


def pick_change(flow, turn: Turn, value: str) -> None:
    """The wizard from its start, with the resource chosen, at its calendar on the month understood."""
    request = turn.dialog.data["ft"]
    month = request["from"][:7].replace("-", "") if request.get("from") else None
    flow.resource.release(turn)
    if request["kind"] == EQUIPMENT:
        turn.dialog.data = {"item": request["id"], "month": month, "trail": ["item"]}
        flow.enter(turn, "start")
    else:
        turn.dialog.data = {"cabinet": request["id"], "month": month, "trail": ["cabinet"]}
        flow.enter(turn, "date")


def typed(flow, turn: Turn, text: str) -> None:
    """A message typed while a question is open: what it names fills the request in («в 16:00», «кабинет 3»);
    a message that names nothing is asked to use the buttons."""
    found = read(flow, turn, text)[0]
    if not anything(found) or not found.understood:
        turn.say(_("Please choose with the buttons above, or press Back or Cancel."))
        return
    fresh = request_of(flow, found)
    request = turn.dialog.data["ft"]
    for key in ("id", "from", "to", "start", "minutes", "item"):
        if fresh.get(key):
            request[key] = fresh[key]
    if fresh.get("id") or fresh.get("cands"):
        request["cands"] = fresh["cands"]
    if fresh.get("daypart"):
        request.update(daypart=fresh["daypart"], start=fresh.get("start"))
    if fresh.get("items"):
        request.update(items=fresh["items"], item=0)
    if fresh.get("units") and found.units:
        request["units"] = fresh["units"]
    if request["kind"] == CABINET and request.get("from") != request.get("to"):
        request["to"] = request["from"]
    advance(flow, turn, new=True)


STEPS = {
    "ftres": Step(show=show_resource, picks={"ftres": pick_resource}, text=typed),
    "ftdate": Step(show=show_date, picks={"ftday": pick_day, "month": pick_month}, text=typed),
    "fttime": Step(show=show_time, picks={"fttime": pick_time}, text=typed),
    "ftdur": Step(show=show_duration, picks={"ftdur": pick_duration}, text=typed),
    "fteq": Step(show=show_item, picks={"fteq": pick_item}, text=typed),
    "ftcard": Step(show=show_card, picks={"ftok": pick_confirm, "ftchg": pick_change}, text=typed),
}
