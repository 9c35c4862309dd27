"""The private calendar link in both bots: offered under "My bookings", replaced by "New calendar link"
(which revokes the old one). Only the link's hash is kept, so an existing link cannot be shown again."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.calendar.services import calendar_token_issue, personal_token, personal_url
from integrations.telegram import keyboards as kb
from integrations.telegram.conversation import Turn
from integrations.texts import local

NEW_CALENDAR_LINK = gettext_lazy("🔄 New calendar link")


def _link_text(url: str) -> str:
    return _("📅 Your private calendar link. Add it to your calendar app as a subscription (\"from URL\"): your "
             "bookings appear there and follow every change.\n%(url)s\nDo not share it; \"New calendar link\" "
             "makes a new one and stops this one.") % {"url": url}


def calendar_keyboard(flow):
    return kb.inline([[kb.button(NEW_CALENDAR_LINK, f"{flow.prefix}:caln:0")]])


def offer_calendar(flow, turn: Turn) -> None:
    token = personal_token(turn.account)
    if token is None:
        _token, raw = calendar_token_issue(account=turn.account, now=turn.now)
        turn.say(_link_text(personal_url(raw)), calendar_keyboard(flow))
        return
    turn.say(_("📅 Your private calendar link was sent here on %(day)s. If you lost it or shared it, press "
               "\"New calendar link\": the old one stops working.") % {
                   "day": date_format(local(token.created_at).date(), "d.m.Y")}, calendar_keyboard(flow))


def btn_new_calendar_link(flow, turn: Turn, _unused: int) -> None:
    _token, raw = calendar_token_issue(account=turn.account, now=turn.now)
    turn.notice(_("A new calendar link is made; the old one no longer works."))
    turn.edit(_link_text(personal_url(raw)), calendar_keyboard(flow))
