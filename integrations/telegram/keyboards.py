"""Inline and reply keyboards. Every callback_data is short, ASCII and made of ids and numbers, so it stays
within Telegram's 64 bytes whatever the names; handlers re-validate everything they receive.

Grammar: `w:<step>[:<value>]` for the wizard of the current dialog; `<eq|cab>:<verb>:<booking id>` for
buttons that stand on their own (notifications, reminders, booking lists); `noop` for inert buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, WebAppInfo

from integrations import texts
from integrations.addresses import booking_page_url
from kernel.scheduling import add_months, month_weeks

MAX_CALLBACK_BYTES = 64
NOOP = "noop"


def button(label, data: str | None) -> InlineKeyboardButton:
    data = data or NOOP
    if len(data.encode()) > MAX_CALLBACK_BYTES:  # a programming error, never user input
        raise ValueError(f"callback_data too long: {data!r}")
    return InlineKeyboardButton(str(label), callback_data=data)


def inline(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def chunks(items: Sequence, size: int) -> list[list]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def nav_row(*, back: bool = True) -> list[InlineKeyboardButton]:
    row = [button(texts.BACK, "w:back")] if back else []
    return [*row, button(texts.CANCEL, "w:cancel")]


def main_menu(*, bot: str, is_manager: bool) -> ReplyKeyboardMarkup:
    rows = [[str(texts.BOOK)]]
    if bot == "equipment":
        rows += [[str(texts.MY_BOOKINGS), str(texts.SCHEDULE)], [str(texts.CATALOGUE), str(texts.CONTACTS)]]
    else:
        rows = [[str(texts.BOOK), str(texts.BOOK_SERVICE)], [str(texts.MY_BOOKINGS), str(texts.CONTACTS)]]
    rows.append([str(texts.HELP), str(texts.REMINDERS)])
    if is_manager:
        rows.append([str(texts.PENDING), str(texts.TODAY), str(texts.TOMORROW)])
    page = booking_page_url(bot)
    if page:  # Telegram opens Mini Apps from https addresses only
        rows.append([KeyboardButton(str(texts.OPEN_PAGE), web_app=WebAppInfo(page))])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def phone_request(*, last: str | None = None) -> ReplyKeyboardMarkup:
    """Share the phone Telegram knows, or (with `last`) send the one given last time with one tap: the
    button's text is the number itself, read like a typed one."""
    rows = [[KeyboardButton(str(texts.SHARE_PHONE), request_contact=True)], [str(texts.BACK), str(texts.CANCEL)]]
    if last:
        rows.insert(0, [KeyboardButton(last)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def paged(entries: Sequence[tuple[str, str]], *, page: int, per_page: int = 8, page_data: str = "w:page"
          ) -> tuple[list[list[InlineKeyboardButton]], int]:
    """One button per (label, data) on the page, then « » between pages. Returns rows and the clamped page."""
    pages = max(1, (len(entries) + per_page - 1) // per_page)
    page = min(max(page, 0), pages - 1)
    rows = [[button(label, data)] for label, data in entries[page * per_page:(page + 1) * per_page]]
    if pages > 1:
        rows.append([
            button(texts.PREV_PAGE, f"{page_data}:{page - 1}" if page > 0 else None),
            button(f"{page + 1}/{pages}", None),
            button(texts.NEXT_PAGE, f"{page_data}:{page + 1}" if page < pages - 1 else None),
        ])
    return rows, page


def calendar(*, year: int, month: int, day_button: Callable[[date], tuple[str, bool]], first_month: tuple[int, int],
             last_month: tuple[int, int], day_verb: str = "day") -> list[list[InlineKeyboardButton]]:
    """A month grid, Monday first, with ‹ › between first_month and last_month. `day_button(day)` gives the
    label and whether the day can be chosen; days that cannot are inert. A day is `w:<day_verb>:<yyyymmdd>`,
    so two calendars of one dialog (first and last day) have buttons of their own."""
    prev_month, next_month = add_months(year, month, -1), add_months(year, month, 1)
    rows = [[
        button(texts.PREV_MONTH, f"w:month:{prev_month[0]}{prev_month[1]:02d}" if prev_month >= first_month else None),
        button(texts.month_title(year, month), None),
        button(texts.NEXT_MONTH, f"w:month:{next_month[0]}{next_month[1]:02d}" if next_month <= last_month else None),
    ], [button(name, None) for name in texts.WEEKDAYS]]
    for week in month_weeks(year, month):
        row = []
        for day in week:
            if day is None:
                row.append(button(" ", None))
                continue
            label, choosable = day_button(day)
            row.append(button(label, f"w:{day_verb}:{day:%Y%m%d}" if choosable else None))
        rows.append(row)
    return rows


def decision(prefix: str, booking_id: int) -> InlineKeyboardMarkup:
    return inline([[button(texts.APPROVE, f"{prefix}:ap:{booking_id}"),
                    button(texts.REJECT, f"{prefix}:rj:{booking_id}")]])


def booking_actions(prefix: str, booking_id: int, *, cancellable: bool) -> InlineKeyboardMarkup:
    row = [button(texts.OPEN, f"{prefix}:open:{booking_id}")]
    if cancellable:
        row.append(button(texts.CANCEL, f"{prefix}:cancel:{booking_id}"))
    return inline([row])


def walk(markup) -> list[str]:
    """Every callback_data of an inline keyboard (for checks and tests)."""
    if markup is None or not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data is not None]


def parse_day(value: str) -> date | None:
    """'20261201' -> date(2026, 12, 1); None for anything else."""
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_month(value: str) -> tuple[int, int] | None:
    """'202612' -> (2026, 12); None for anything else."""
    if len(value) != 6 or not value.isdigit() or not 1 <= int(value[4:]) <= 12:
        return None
    return int(value[:4]), int(value[4:])
