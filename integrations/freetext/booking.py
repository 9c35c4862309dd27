"""From an understood message to the wizards' own ground: the catalogue the parser reads names from, the dialog
data a parse fills in (the same keys the equipment and cabinet wizards keep), the arguments of the services
they call, and what the bot says: the card of what was understood and the question for what is missing.

Nothing here books: the bot shows card_text() with Confirm / Change, and on Confirm calls the same service as
its wizard with service_arguments() plus the client's name and phone, the actor, the channel and now."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from cabinets.models import Cabinet
from equipment.availability import bookable_items_for_clients, offered_with_cabinet
from equipment.models import Item
from integrations import texts
from integrations.freetext.parser import DATE, DURATION, RESOURCE, TIME, WITH, Parse
from integrations.freetext.resources import CABINET, EQUIPMENT, SERVICE, Entry
from integrations.freetext.times import AFTERNOON, DAYPARTS, EVENING, MORNING


class NotReady(ValueError):
    """The parse still misses something, or names something no longer bookable: ask, do not book."""


def catalogue(*, for_manager: bool = False) -> list[Entry]:
    """Active cabinets (their room number as another name) and the items the reader may book by the day
    (managers also reserved and installed ones, as in the equipment wizard)."""
    entries = [Entry(CABINET, cabinet.pk, cabinet.name, (cabinet.number,) if cabinet.number else ())
               for cabinet in Cabinet.objects.filter(is_active=True).order_by("sort_order", "id")]
    items = Item.objects.filter(is_active=True)
    if not for_manager:
        items = items.filter(bookable_items_for_clients())
    entries += [Entry(EQUIPMENT, item.pk, item.name) for item in items.order_by("sort_order", "id")]
    return entries


def _ready(parse: Parse, kind: str) -> None:
    if parse.kind != kind or not parse.complete:
        raise NotReady(", ".join(parse.missing) or "not understood")


def equipment_dialog(parse: Parse) -> dict:
    """The equipment wizard's data after its dates and units steps: {"item", "start", "end", "units"}."""
    _ready(parse, EQUIPMENT)
    return {"item": parse.resource_id, "start": parse.date_from.isoformat(), "end": parse.date_to.isoformat(),
            "units": parse.units or 1}


def cabinet_dialog(parse: Parse) -> dict:
    """The cabinet wizard's data after its duration and equipment steps: {"cabinet", "day", "slot", "minutes",
    "item"} (item 0: no equipment was named, as the wizard's No equipment)."""
    _ready(parse, CABINET)
    if len(parse.equipment_ids) > 1:
        raise NotReady(RESOURCE)
    if parse.equipment_ids and (parse.units or 1) > 1:
        raise NotReady("units")  # the wizard adds one unit of an item; service_arguments() books more
    return {"cabinet": parse.resource_id, "day": parse.date_from.isoformat(), "slot": f"{parse.start:%H%M}",
            "minutes": parse.duration_minutes, "item": parse.equipment_ids[0] if parse.equipment_ids else 0}


def service_arguments(parse: Parse, *, for_manager: bool = False) -> dict:
    """The arguments the wizard passes to equipment_booking_create or cabinet_booking_create, less the client,
    the actor, the channel and now, which the bot adds. NotReady when the parse is not complete or what it
    names can no longer be booked."""
    if parse.kind == EQUIPMENT:
        data = equipment_dialog(parse)
        items = Item.objects.filter(is_active=True)
        if not for_manager:
            items = items.filter(bookable_items_for_clients())
        item = items.filter(pk=data["item"]).first()
        if item is None:
            raise NotReady(RESOURCE)
        return {"item": item, "start_date": parse.date_from, "end_date": parse.date_to, "units": data["units"]}
    _ready(parse, CABINET)
    if len(parse.equipment_ids) > 1:
        raise NotReady(RESOURCE)
    cabinet = Cabinet.objects.filter(pk=parse.resource_id, is_active=True).first()
    if cabinet is None:
        raise NotReady(RESOURCE)
    item = None
    if parse.equipment_ids:
        item = Item.objects.filter(offered_with_cabinet(cabinet.pk), pk=parse.equipment_ids[0]).first()
        if item is None:
            raise NotReady(RESOURCE)
    return {"cabinet": cabinet, "starts_at": parse.starts_at, "duration_minutes": parse.duration_minutes,
            "equipment": [(item, parse.units or 1)] if item else []}


# --- What the bot says --------------------------------------------------------------------------------------------

def _names(entries: list[Entry]) -> dict[tuple[str, int], str]:
    return {(entry.kind, entry.id): entry.name for entry in entries}


def _candidates(parse: Parse, entries: list[Entry]) -> list[str]:
    """The names of the candidates, in the catalogue's order (the wizards' order)."""
    kinds = parse.id_kinds or (parse.kind,) * len(parse.ids)
    wanted = set(zip(kinds, parse.ids, strict=True))
    return [entry.name for entry in entries if (entry.kind, entry.id) in wanted]


def daypart_text(daypart: str) -> str:
    return {MORNING: _("in the morning"), AFTERNOON: _("in the afternoon"), EVENING: _("in the evening")}[daypart]


def card_text(parse: Parse, entries: list[Entry]) -> str:
    """What was understood, one line a field, in the wizard's own words and icons; what is missing is shown
    as a question mark so the reader sees what the bot will ask."""
    names = _names(entries)
    lines = [_("This is what I understood:")]
    icon = {CABINET: "🚪", EQUIPMENT: "🏢", SERVICE: "🩺"}.get(parse.kind, "❓")
    if parse.resource_id is not None:
        name = names.get((parse.kind, parse.resource_id), "?")
        units = f" × {parse.units}" if parse.kind == EQUIPMENT and parse.units and parse.units > 1 else ""
        lines.append(f"{icon} {name}{units}")
    elif parse.ids:
        lines.append(f"{icon} " + _("one of: %(names)s") % {"names": ", ".join(_candidates(parse, entries))})
    else:
        lines.append(f"{icon} ?")
    if parse.kind == EQUIPMENT or (parse.date_from and parse.date_from != parse.date_to):
        lines.append("📅 " + (texts.dates_text(parse.date_from, parse.date_to) if parse.date_from else "?"))
    else:
        lines.append("📅 " + _when(parse))
    if parse.kind == CABINET:
        if parse.duration_minutes:
            lines.append("⏱ " + texts.duration_text(parse.duration_minutes))
        units = f" × {parse.units}" if parse.equipment_ids and parse.units and parse.units > 1 else ""
        if len(parse.equipment_ids) > 1:
            lines.append("🛠 ?")
        else:
            lines.append("🛠 " + (", ".join(names.get((EQUIPMENT, i), "?") for i in parse.equipment_ids) + units
                                 if parse.equipment_ids else str(texts.NO_EQUIPMENT)))
    if parse.unknown:
        lines.append("❔ " + _("Not understood: %(words)s") % {"words": " ".join(parse.unknown)})
    return "\n".join(lines)


def _when(parse: Parse) -> str:
    day = texts.day_text(parse.date_from) if parse.date_from else "?"
    if parse.start and parse.end:
        return f"{day} {parse.start:%H:%M}–{parse.end:%H:%M}"
    if parse.start:
        return f"{day} {parse.start:%H:%M}"
    if parse.daypart:
        return f"{day}, {daypart_text(parse.daypart)}"
    return day


def question(parse: Parse, entries: list[Entry]) -> str | None:
    """The one question for the first thing missing (None when nothing is): which resource, which day, what
    time (within the part of the day, when one was named), how long."""
    if RESOURCE in parse.missing:
        if parse.ids and parse.kind == CABINET:
            return _("Which cabinet: %(names)s?") % {"names": ", ".join(_candidates(parse, entries))}
        if parse.ids and parse.kind == EQUIPMENT:
            return _("Which equipment: %(names)s?") % {"names": ", ".join(_candidates(parse, entries))}
        if parse.ids:
            return _("Which one do you mean: %(names)s?") % {"names": ", ".join(_candidates(parse, entries))}
        if parse.kind == CABINET:
            return _("There is no such cabinet. Which cabinet would you like?")
        if parse.unknown:
            return _("I could not find “%(words)s” among what can be booked here. What would you like to book?") % {
                "words": " ".join(parse.unknown)}
        return _("What would you like to book?")
    if DATE in parse.missing:
        if parse.kind == EQUIPMENT:
            return _("For which dates? For example: “10–12 December” or “tomorrow”.")
        return _("For which day? For example: “tomorrow” or “3 December”.")
    if TIME in parse.missing:
        if parse.daypart:
            first, last = DAYPARTS[parse.daypart]
            return _("At what time %(daypart)s (%(first)s–%(last)s)?") % {
                "daypart": daypart_text(parse.daypart), "first": f"{first:%H:%M}", "last": f"{last:%H:%M}"}
        return _("At what time? For example: “15:00”.")
    if DURATION in parse.missing:
        return _("For how long? For example: “for an hour” or “90 minutes”.")
    if WITH in parse.missing:
        items = [entry.name for entry in entries if entry.kind == EQUIPMENT and entry.id in parse.equipment_ids]
        return _("Which equipment: %(names)s?") % {"names": ", ".join(items)}
    if not parse.understood:
        return _("I did not understand “%(words)s”. Please write the request again.") % {
            "words": " ".join(parse.unknown)}
    return None


def daypart_window(parse: Parse) -> tuple[datetime, datetime] | None:
    """The stretch of the parsed day the bot offers free times from, for «после обеда» and the like."""
    if parse.daypart is None or parse.date_from is None:
        return None
    first, last = DAYPARTS[parse.daypart]
    return (datetime.combine(parse.date_from, first, tzinfo=parse.zone),
            datetime.combine(parse.date_from, last, tzinfo=parse.zone))
