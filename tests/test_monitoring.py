"""The alert rules name only metrics the application really exports."""

import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import booking_site.metrics  # noqa: F401  (defines the metrics)

ROOT = Path(__file__).resolve().parent.parent


def exported_names() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        names.add(f"{family.name}_total")
    return names


def test_every_metric_in_the_alert_rules_is_exported():
    rules = yaml.safe_load((ROOT / "monitoring" / "alerts.yml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    bare = [re.sub(r"\{[^}]*\}", "", expr) for expr in expressions]  # label matchers are not metrics
    referenced = {name for expr in bare for name in re.findall(r"\b([a-z][a-z0-9_]*)\s*[\[>=<]", expr)
                  if name not in {"increase", "rate", "sum", "by", "up"}}
    unknown = {name for name in referenced - exported_names() if not name.startswith("django_")}
    assert referenced and not unknown, unknown
