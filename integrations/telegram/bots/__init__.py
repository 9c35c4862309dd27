"""The flows of the two bots, by name."""

from __future__ import annotations

from functools import cache


@cache
def flow_for(bot: str):
    if bot == "equipment":
        from integrations.telegram.bots.equipment import EquipmentFlow

        return EquipmentFlow()
    if bot == "cabinet":
        from integrations.telegram.bots.cabinets import CabinetFlow

        return CabinetFlow()
    raise KeyError(bot)
