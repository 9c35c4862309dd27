"""The alert rules and the Grafana dashboard name only metrics the application really exports on /metrics
after a booking through the API, a bot update and a Telegram delivery; Grafana's provisioning points at the
compose Prometheus that the dashboard refers to."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests import factories
from tests.api.conftest import ApiClient
from tests.integrations.telegram.fake_bot_api import FakeBotApi, start

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "clinic.json"

PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left", "group_right", "and",
    "or", "unless", "bool", "rate", "irate", "increase", "delta", "histogram_quantile", "time", "abs",
    "clamp_min", "clamp_max", "topk", "bottomk", "offset", "vector", "scalar", "absent",
}
BUILT_IN = {"up"}  # written by Prometheus itself for every scrape target


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: label matchers, by/without lists, ranges and numbers removed."""
    bare = re.sub(r'"[^"]*"', "", expr)
    bare = re.sub(r"\{[^}]*\}", "", bare)
    bare = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", bare)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    names = set(re.findall(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)", bare))
    return names - PROMQL_WORDS - BUILT_IN


def alert_expressions() -> list[str]:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_panels() -> list[dict]:
    return [panel for panel in json.loads(DASHBOARD.read_text())["panels"] if panel["type"] != "row"]


def dashboard_expressions() -> list[str]:
    return [target["expr"] for panel in dashboard_panels() for target in panel["targets"]]


def exported(body: str) -> set[str]:
    """Every series name /metrics exports, including those of families that have no sample yet."""
    names = set()
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            _hash, _type, name, kind = line.split()
            names.add(name)
            if kind == "histogram":
                names.update({f"{name}_bucket", f"{name}_sum", f"{name}_count"})
            if kind == "counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
        elif line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def test_the_name_extraction_sees_metrics_and_ignores_labels_and_functions():
    expr = ('histogram_quantile(0.95, sum by (le, view) (rate(x_bucket{view=~"a|b"}[5m]))) '
            '/ ignoring(job) time() - y_seconds > 2')
    assert metric_names(expr) == {"x_bucket", "y_seconds"}


def test_the_dashboard_loads_and_shows_every_part_an_operator_watches():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "clinic-booking" and dashboard["panels"]
    titles = " | ".join(panel["title"] for panel in dashboard_panels()).lower()
    for part in ("http requests", "p95 latency", "5xx", "bookings created", "cancelled", "refusals", "pending",
                 "dead letters", "telegram updates", "handler errors", "reminders", "sheets", "audit", "heartbeat",
                 "payments by state", "not paid", "refunds", "wallets"):
        assert part in titles, part
    datasource = yaml.safe_load((MONITORING / "grafana/provisioning/datasources/prometheus.yml").read_text())
    uids = {source["uid"] for source in datasource["datasources"]}
    assert {panel["datasource"]["uid"] for panel in dashboard_panels()} <= uids
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    provider = yaml.safe_load((MONITORING / "grafana/provisioning/dashboards/clinic.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


@pytest.fixture
def bot_api(settings):
    api = FakeBotApi()
    server, url = start(api)
    settings.TELEGRAM_API_URL = url
    settings.EQUIPMENT_BOT_TOKEN = "1111:equipment-token"
    settings.CABINET_BOT_TOKEN = "2222:cabinet-token"
    settings.TELEGRAM_WEBHOOK_SECRET = "secret"
    settings.MANAGERS = []
    yield api
    server.shutdown()


@pytest.mark.django_db(transaction=True)
def test_every_metric_of_the_alerts_and_the_dashboard_is_exported_after_a_booking_an_update_and_a_delivery(
        client, bot_api, frozen):
    from integrations.models import Delivery

    item = factories.ItemFactory(name="Аппарат УЗИ", quantity=2)
    factories.TelegramAccountFactory(telegram_id=9001, username="boss", is_manager=True, language_code="en")
    _partner, key = factories.partner_with_key(name="ClinicCRM")
    booked = ApiClient(key).post("/api/v1/equipment-bookings", {
        "item_id": item.pk, "external_booking_id": "crm-1", "start_date": "2026-12-01", "end_date": "2026-12-01",
        "units": 1, "client_name": "Иван Петров", "client_phone": "+79991234567"})
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start",
                                          "chat": {"id": 1001, "type": "private"},
                                          "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                                          "from": {"id": 1001, "is_bot": False, "first_name": "Ann"}}}
    answered = client.post("/telegram/equipment/", json.dumps(update), content_type="application/json",
                           headers={"X-Telegram-Bot-Api-Secret-Token": "secret"})
    client.get("/readyz")

    body = client.get("/metrics").content.decode()

    assert booked.status_code == 201 and answered.status_code == 200
    assert Delivery.objects.filter(status=Delivery.Status.SENT).exists()  # the managers were told
    referenced = {name for expr in alert_expressions() + dashboard_expressions() for name in metric_names(expr)}
    missing = referenced - exported(body)
    assert len(referenced) > 20 and not missing, sorted(missing)
