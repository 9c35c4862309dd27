"""The two bots, by name: each composed from the shared verb tables (dispatch.py) and its resource's adapter."""

from __future__ import annotations

from functools import cache


@cache
def flow_for(bot: str):
    if bot == "equipment":
        from integrations.telegram.bots.equipment import build

        return build()
    if bot == "cabinet":
        from integrations.telegram.bots.cabinets import build

        return build()
    raise KeyError(bot)
