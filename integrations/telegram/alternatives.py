"""The bots' side of a refusal with alternatives: one screen that says why, with one button per
alternative. The alternatives themselves stay in the dialog row; a button carries only its index
(`w:alt:<n>`), so callback_data stays tiny and a stale button is refused like any other."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from integrations.telegram import keyboards as kb
from integrations.telegram.conversation import Turn
from kernel.errors import BookingError

SHOWN = 6


def offer(turn: Turn, flow, exc: BookingError, *, trail: Iterable[str], clear: dict | None = None,
          message: str | None = None, step: str = "alternatives") -> bool:
    """Show the alternatives of a refusal, if it has any, as the dialog's next step (`step`: the dialog's
    own alternatives step); Back leaves them for the last step of `trail`. False (and nothing changed) when
    there are none."""
    found = exc.details.get("alternatives") or []
    if not found:
        return False
    turn.dialog.data.update(clear or {})
    turn.dialog.data["alts"] = list(found[:SHOWN])
    turn.dialog.data["refusal"] = str(message or exc.message)[:600]
    turn.dialog.data["trail"] = list(trail)
    flow.enter(turn, step, new=True)
    return True


def show(turn: Turn, label: Callable[[dict], str], *, new: bool = False, extra_rows: Iterable = (),
         verb: str = "alt") -> None:
    """`extra_rows` go under the alternatives (the waitlist's Join button for the refused request itself);
    each alternative's button is `w:<verb>:<n>`."""
    found = turn.dialog.data.get("alts") or []
    rows = [[kb.button(label(alternative), f"w:{verb}:{n}")] for n, alternative in enumerate(found)]
    text = (turn.dialog.data.get("refusal") or "") + "\n\n" + _("Free nearby — tap one to book it:")
    turn.screen(text.strip(), kb.inline([*rows, *extra_rows, kb.nav_row()]), new=new)


def chosen(turn: Turn, value: str) -> dict | None:
    found = turn.dialog.data.get("alts") or []
    if not value.isdigit() or int(value) >= len(found):
        turn.notice(_("This button is out of date."))
        return None
    return found[int(value)]
