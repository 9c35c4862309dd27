"""The README's quick start runs as written: its manage.py commands against the test database and its curl
calls, parsed, through Django's test client, with the key its own create_api_key line printed."""

from __future__ import annotations

import io
import re
import shlex
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from cabinets.api.serializers import CabinetBookingRequest
from equipment.api.serializers import EquipmentBookingRequest
from tests.conftest import MSK

README = Path(__file__).resolve().parents[2] / "README.md"
MANAGE = ".venv/bin/python manage.py "
# The README's dates lie a week ahead of this moment.
ON = datetime(2026, 12, 7, 9, 0, tzinfo=MSK)


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"### {title}\n")
    return text[start:text.index("\n### ", start + 1)]


def shell_lines(text: str) -> list[tuple[str, str]]:
    """The commands of the ```sh blocks, continuation lines joined, each with the comment above it."""
    lines, comment = [], ""
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            if line.lstrip().startswith("#"):
                comment = line
            elif line.strip():
                lines.append((line.strip(), comment))
    return lines


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_in(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_in(item)}
    return set()


def manage(command_line: str) -> str:
    assert command_line.startswith(MANAGE), command_line
    out = io.StringIO()
    call_command(*shlex.split(command_line.removeprefix(MANAGE)), stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def curl(command_line: str, env: dict[str, str]):
    """A `curl -s [-X METHOD] URL [-H "Name: value"]... [-d BODY]` line through the test client."""
    words = shlex.split(re.sub(r"\$(\w+)", lambda m: env[m.group(1)], command_line))
    assert words[:2] == ["curl", "-s"], command_line
    method, url, headers, body = "GET", None, {}, ""
    words = iter(words[2:])
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, value = next(words).split(":", 1)
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = next(words)
        else:
            assert url is None and not word.startswith("-"), f"unexpected {word!r} in {command_line}"
            url = word
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "127.0.0.1:8000")
    content_type = headers.pop("Content-Type", "application/octet-stream")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return method, Client().generic(method, path, body, content_type=content_type, headers=headers)


@pytest.mark.django_db(transaction=True, reset_sequences=True)  # a fresh database, as the README assumes
def test_the_quick_start_runs_as_written(time_machine):
    time_machine.move_to(ON, tick=False)
    cache.clear()
    env: dict[str, str] = {}
    answers = []
    for line, comment in shell_lines(section("Quick start")):
        if assignment := re.fullmatch(r"export (\w+)=\$\((.*)\)", line):
            env[assignment.group(1)] = manage(assignment.group(2))
        elif line.startswith("curl "):
            answers.append((line, comment, *curl(line, env)))
        else:
            manage(line)
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", env["API_KEY"])

    for line, comment, _method, response in answers:
        assert response.status_code in (200, 201), (line, response.content)
        # The answer the comment sketches has every field it names.
        assert set(re.findall(r'"(\w+)":', comment)) <= keys_in(response.json()), (comment, response.json())
    posts = [(line, response) for line, _comment, method, response in answers if method == "POST"]
    (first_line, first), (again_line, again), (_cabinet_line, cabinet) = posts
    assert again_line == first_line and again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert first.json()["reference"] == f"E-{first.json()['id']}" and first.json()["status"] == "approved"
    assert cabinet.json()["reference"] == f"C-{cabinet.json()['id']}"
    assert cabinet.json()["equipment"][0]["units"] == 1
    deletes = [response for _line, _comment, method, response in answers if method == "DELETE"]
    assert [d.json()["status"] for d in deletes] == ["cancelled"] * 3
    assert deletes[1].json() == deletes[0].json()  # the repeated cancel answers the booking as it is


def test_the_quick_start_lists_every_request_field():
    text = section("Quick start")
    for serializer in (EquipmentBookingRequest, CabinetBookingRequest):
        assert [name for name in serializer().fields if f"`{name}`" not in text] == []


@pytest.mark.django_db
def test_the_catalogue_commands_run_as_written():
    catalogue = README.read_text(encoding="utf-8").split("## Catalogue\n", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"`(\.venv/bin/python manage\.py [^`]+)`", catalogue)
    assert any("load_catalog" in c for c in commands) and any("seed_demo" in c for c in commands)
    for command in commands:
        manage(command)
