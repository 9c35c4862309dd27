"""Reading a catalogue file: UTF-8 text, YAML read safely and strictly (an unquoted 10:00 stays text, a key
given twice is refused), then checked by `parse_items` or `parse_cabinets`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from integrations.catalog.parse_cabinets import parse_cabinets
from integrations.catalog.parse_items import parse_items
from integrations.catalog.parse_services import ServicesFile, parse_services
from integrations.catalog.report import CatalogError
from integrations.catalog.specs import CabinetsFile, ItemsFile


class _CatalogLoader(yaml.SafeLoader):
    """A safe loader that reads an unquoted 10:00 as text rather than YAML 1.1's base-60 number 600 (and 010
    as "010", not octal 8), and refuses a key given twice in one mapping instead of keeping the last."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *anchor" is resolved by the base class
                    continue
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int):
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is given twice", key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CatalogLoader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_CatalogLoader.add_implicit_resolver(
    _FLOAT_TAG, re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$"), list("-+0123456789."),
)


def _read_yaml(path: str | Path) -> Any:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CatalogError(source, ["the file does not exist"]) from None
    except UnicodeDecodeError as error:
        raise CatalogError(source, [f"the file is not UTF-8 text (bad byte at offset {error.start})"]) from None
    except OSError as error:
        raise CatalogError(source, [f"the file cannot be read: {error.strerror or error}"]) from None
    try:
        data = yaml.load(text, Loader=_CatalogLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogError(source, [f"the file is not valid YAML{at}: {problem}"]) from None
    if data is None:
        raise CatalogError(source, ["the file is empty"])
    return data


def read_items_file(path: str | Path) -> ItemsFile:
    return parse_items(_read_yaml(path), source=str(path))


def read_cabinets_file(path: str | Path) -> CabinetsFile:
    return parse_cabinets(_read_yaml(path), source=str(path))



def read_services_file(path: str | Path) -> ServicesFile:
    return parse_services(_read_yaml(path), source=str(path))
