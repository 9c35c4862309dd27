"""What the catalogue import tells: the refusal of a file (every problem, naming the entry and the field at
fault), a service's refusal turned into one, and the report of what an import created, updated or left."""

from __future__ import annotations

from dataclasses import dataclass, field

from kernel.errors import BookingError

MAX_PROBLEMS_SHOWN = 30


class CatalogError(Exception):
    """A catalogue file is refused. `problems` name the entry and the field at fault."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"{source} is refused, nothing was imported:", *(f"  {problem}" for problem in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass
class Outcome:
    """What an import did to one kind of row."""

    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


@dataclass
class CatalogReport:
    cabinets: Outcome | None = None
    holidays: Outcome | None = None
    items: Outcome | None = None
    specialists: Outcome | None = None
    services: Outcome | None = None
    discounts: Outcome | None = None
    dry_run: bool = False

    def sections(self) -> list[tuple[str, Outcome]]:
        named = (("Cabinets", self.cabinets), ("Holidays", self.holidays), ("Items", self.items),
                 ("Specialists", self.specialists), ("Services", self.services), ("Discounts", self.discounts))
        return [(title, outcome) for title, outcome in named if outcome is not None]

    def lines(self, *, verbose: bool = False) -> list[str]:
        lines = ["Dry run: nothing was saved."] if self.dry_run else []
        for title, outcome in self.sections():
            lines.append(f"{title}: {outcome.summary()}")
            lines += [f"  created: {name}" for name in outcome.created]
            lines += [f"  updated: {name} ({'; '.join(changes)})" for name, changes in outcome.updated]
            if verbose:
                lines += [f"  unchanged: {name}" for name in outcome.unchanged]
            lines += [f"  not in the file, left as it is: {name}" for name in outcome.not_in_file]
        return lines


def refusal(source: str, where: str, error: BookingError) -> CatalogError:
    """A service's refusal as a catalogue problem, naming the bookings in the way (by reference)."""
    text = str(error.message)
    references = error.details.get("references") or []
    if any(reference not in text for reference in references):
        text += f" (bookings: {', '.join(references)})"
    return CatalogError(source, [f"{where}: {text}"])
