"""What a free-text message asks for, as the bots keep it while they ask for the rest: reading the message
against the bot's catalogue (`read`), the request kept in the dialog data under "ft" (`request_of`, `as_parse`),
the first thing still missing (`missing`) and the examples shown when nothing was understood. The steps that
ask and the card are in freetext.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import translation
from django.utils.translation import gettext as _

from integrations.freetext import booking
from integrations.freetext.parser import DATE, DURATION, RESOURCE, TIME, WITH, Parse, parse
from integrations.freetext.resources import CABINET, EQUIPMENT
from integrations.telegram.conversation import Turn
from kernel.clock import clinic_zone


def kind_of(flow) -> str:
    return EQUIPMENT if flow.bot == "equipment" else CABINET


# --- Reading a message ------------------------------------------------------------------------------------------

def catalogue(flow, turn: Turn) -> list:
    """The equipment bot reads item names; the cabinet bot cabinets, and items to go with one."""
    entries = booking.catalogue(for_manager=turn.account.is_manager)
    if flow.bot == "equipment":
        return [entry for entry in entries if entry.kind == EQUIPMENT]
    return entries


def read(flow, turn: Turn, text: str) -> tuple[Parse, list]:
    entries = catalogue(flow, turn)
    language = "en" if (translation.get_language() or "ru").startswith("en") else "ru"
    return parse(text, now=turn.now, catalogue=entries, language=language, zone=clinic_zone()), entries


def anything(found: Parse) -> bool:
    return bool(found.ids or found.equipment_ids or found.date_from or found.start or found.daypart
                or found.duration_minutes)


def request_of(flow, found: Parse) -> dict:
    """The parse as the dialog keeps it: only what the bot's kind books; what the parser was unsure of is
    asked again even when it guessed a value."""
    kind = kind_of(flow)
    kinds = found.id_kinds or (found.kind,) * len(found.ids)
    own = [id_ for id_, id_kind in zip(found.ids, kinds, strict=True) if id_kind == kind]
    items = list(found.equipment_ids)
    if kind == CABINET and not own and found.kind == EQUIPMENT:
        items = list(found.ids)  # «УЗИ аппарат завтра в 15 на час»: which cabinet, with it
    ask = [field for field in found.missing if field in ((DATE,) if kind == EQUIPMENT else (DATE, TIME, DURATION))]
    request = {
        "kind": kind, "id": own[0] if len(own) == 1 else None, "cands": own if len(own) > 1 else [],
        "from": found.date_from.isoformat() if found.date_from and DATE not in ask else None,
        "to": found.date_to.isoformat() if found.date_to and DATE not in ask else None,
        "start": f"{found.start:%H%M}" if found.start and TIME not in ask else None,
        "minutes": found.duration_minutes if DURATION not in ask else None,
        "daypart": found.daypart, "units": found.units or 1,
        "item": items[0] if len(items) == 1 else 0, "items": items if len(items) > 1 else [],
        "unknown": list(found.unknown),
    }
    if kind == CABINET and request["from"] and request["from"] != request["to"]:
        request["from"] = request["to"] = None  # a cabinet is booked for one day at a time
    return request


def missing(request: dict) -> str | None:
    """The first thing still to ask, in the order the question would come: None when the card can be shown."""
    if not request.get("id"):
        return RESOURCE
    if not request.get("from"):
        return DATE
    if request["kind"] == CABINET:
        if not request.get("start"):
            return TIME
        if not request.get("minutes"):
            return DURATION
        if request.get("items"):
            return WITH
    return None


def as_parse(request: dict) -> Parse:
    """The request back as a complete Parse, for the card and the wizards' dialog data (integrations.freetext)."""
    start = time(int(request["start"][:2]), int(request["start"][2:])) if request.get("start") else None
    day_from = date.fromisoformat(request["from"]) if request.get("from") else None
    day_to = date.fromisoformat(request["to"]) if request.get("to") else None
    end = None
    if start and request.get("minutes"):
        end = (datetime.combine(date.min, start) + timedelta(minutes=request["minutes"])).time()
    return Parse(text="", kind=request["kind"], ids=(request["id"],) if request.get("id") else (),
                 equipment_ids=(request["item"],) if request.get("item") else (), date_from=day_from,
                 date_to=day_to, start=start, end=end, daypart=None if start else request.get("daypart"),
                 duration_minutes=request.get("minutes"), units=request.get("units"),
                 unknown=tuple(request.get("unknown") or ()), zone=clinic_zone())


# --- Help --------------------------------------------------------------------------------------------------------

def examples(flow, entries: list) -> str:
    kind = kind_of(flow)
    names = [entry.name for entry in entries if entry.kind == kind]
    if kind == CABINET:
        name = names[0] if names else _("cabinet 2")
        return _("You can write what you want to book, for example:\n• %(name)s tomorrow at 15:00 for an hour\n"
                 "• %(name)s on Friday in the afternoon for 90 minutes") % {"name": name}
    name = names[0] if names else _("ECG machine")
    return _("You can write what you want to book, for example:\n• 2 %(name)s from 10 to 12 December\n"
             "• %(name)s tomorrow") % {"name": name}


def say_help(flow, turn: Turn, entries: list) -> None:
    turn.say(_("I did not understand that.") + " " + examples(flow, entries) + "\n\n"
             + _("Or use the menu below."), flow.menu(turn))
