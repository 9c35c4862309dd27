"""Fault tests break servers, so they never touch the shared ones: one private PostgreSQL cluster for the
session (migrated and seeded once into a template database that each test copies), and per test a private
Redis, the fake Bot API and the product's own processes."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ci_strict
from tests.faults.fakes import FaultyBotApi
from tests.faults.servers import PrivatePostgres, Processes, missing_tools, seed_template

TEMPLATE = "faults_template"


def _require_tools():
    reason = missing_tools()
    if reason:
        if ci_strict():
            pytest.fail(f"CI={os.environ['CI']} but the fault suite {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    _require_tools()
    postgres = PrivatePostgres()
    try:
        postgres.init()
        postgres.catalogue = seed_template(postgres, tmp_path_factory.mktemp("template"), TEMPLATE)
        yield postgres
    finally:
        postgres.destroy()


@pytest.fixture
def catalogue(cluster) -> dict:
    """Ids of the seeded items and cabinet, and the partner's API key."""
    return cluster.catalogue


@pytest.fixture
def database(cluster, request):
    """A fresh copy of the seeded database for one test; its URL."""
    name = f"faults_{request.node.name[:40].lower()}".replace("-", "_").replace("[", "_").replace("]", "")
    cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    yield name
    if cluster.running():
        cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.faults_failed = report.failed
    return report


@pytest.fixture
def started(request):
    processes = Processes()
    yield processes
    processes.stop()
    if getattr(request.node, "faults_failed", False):
        print(processes.logs())  # shown under "Captured stdout teardown"


@pytest.fixture
def bot_api():
    api = FaultyBotApi().start()
    yield api
    api.stop()
