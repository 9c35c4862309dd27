"""Writing one catalogue row: `full_clean()` before every save (a refusal names the entry and the fields),
and the changes a re-import makes described field by field."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from integrations.catalog.report import CatalogError


def save_checked(obj: models.Model, *, where: str, source: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        details = "; ".join(
            " ".join(str(message) for message in messages) if name == NON_FIELD_ERRORS
            else f"{name}: {' '.join(str(message) for message in messages)}"
            for name, messages in error.message_dict.items()
        )
        raise CatalogError(source, [f"{where}: {details}"]) from None
    obj.save()


def display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:39] + "…"
        return f'"{short}"'
    return str(value)


def apply_values(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Set `values` on `obj`; describe each field that changes."""
    changes = []
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes.append(f"{name} {display(old)} → {display(new)}")
            setattr(obj, name, new)
    return changes
