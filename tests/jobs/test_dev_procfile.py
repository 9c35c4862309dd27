"""`make run`'s process set: Procfile.dev starts web, worker and beat with SQLite and the filesystem broker (no
Redis, no PostgreSQL); a phone booking made in the admin reaches the worker, which logs its follow-up."""

import re
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.jobs.fakebot import FakeBotApi
from tests.jobs.processes import ROOT, Started, environment, free_port, manage

pytestmark = pytest.mark.slow
# Two days ahead: never "in the past" in the clinic's zone, whatever the machine's zone and hour.
IN_TWO_DAYS = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
HONCHO = str(Path(sys.executable).with_name("honcho"))

SETUP = """
from django.contrib.auth import get_user_model
from equipment.models import Item
get_user_model().objects.create_superuser("boss", "boss@example.com", "correct horse battery staple")
print("item", Item.objects.create(name="Аппарат ЭКГ", quantity=2).pk)
"""


def wait_for(log: Path, pattern: str, timeout: float) -> re.Match | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, log.read_text(errors="replace"))
        if match:
            return match
        time.sleep(0.3)
    return None


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "celery").exists(), reason="Procfile.dev runs from .venv/bin")
def test_procfile_dev_runs_web_worker_and_beat_and_the_worker_follows_an_admin_booking(tmp_path):
    port = free_port()
    bot_api = FakeBotApi().start()
    env = environment(tmp_path, bot_api_url=bot_api.url, broker=None)
    env.update({"WEB_PORT": str(port), "AXES_ENABLED": "0", "MANAGERS": "9001"})
    manage(env, "migrate", "--noinput")
    item_id = re.search(r"item (\d+)", manage(env, "shell", "-c", SETUP).stdout).group(1)
    started = Started()
    honcho = started.start("honcho", [HONCHO, "-f", "Procfile.dev", "start"], env, tmp_path)
    log = tmp_path / "honcho.log"
    try:
        assert wait_for(log, r"celery@\S+ ready", 60), log.read_text()
        assert wait_for(log, r"beat: Starting", 30), log.read_text()
        assert wait_for(log, r"Uvicorn running", 30), log.read_text()
        assert "filesystem://" in log.read_text()

        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.get(f"{base}/admin/login/", timeout=10)
        session.post(f"{base}/admin/login/", timeout=10, data={
            "username": "boss", "password": "correct horse battery staple", "next": "/admin/",
            "csrfmiddlewaretoken": session.cookies["csrftoken"]})
        add = f"{base}/admin/equipment/equipmentbooking/add/"
        session.get(add, timeout=10)
        # The web process's own attempt meets a Bot API hiccup, so the message is the worker's to follow up.
        bot_api.answer((502, {"ok": False, "description": "Bad Gateway"}))
        response = session.post(add, timeout=10, allow_redirects=False, headers={"Referer": add}, data={
            "item": item_id, "start_date": IN_TWO_DAYS, "units": "1", "client_name": "Иван Петров",
            "client_phone": "+7 999 123-45-67", "csrfmiddlewaretoken": session.cookies["csrftoken"]})
        assert response.status_code == 302, response.text[:2000]
        booking_id = re.search(r"/equipmentbooking/(\d+)/", response.headers["Location"]).group(1)

        # The manager in MANAGERS is told of the new booking; the worker follows the delivery up.
        followed = rf"worker.*outbox event \d+ booking\.created equipment #{booking_id}: delivery \d+"
        assert wait_for(log, followed, 30), log.read_text()
        sent = r"worker.*delivery \d+ \(sendMessage, equipment bot\) sent on attempt 2"
        assert wait_for(log, sent, 30), log.read_text()
        [told] = [c for c in bot_api.delivered if c.method == "sendMessage" and c.chat_id == 9001]
        assert f"E-{booking_id}" in told.data["text"]
    finally:
        honcho.send_signal(signal.SIGINT)  # what Ctrl-C does: honcho stops all three
        honcho.wait(timeout=30)
        started.stop()
        bot_api.stop()
    assert re.search(r"web\.1 stopped", log.read_text()) and re.search(r"worker\.1 stopped", log.read_text())
