"""Attendance tests use the admin's manager."""

from tests.admin.conftest import manager_client, manager_user  # noqa: F401
