from tests.admin.conftest import manager_client, manager_user  # noqa: F401  (the admin's manager, for payments/admin.py)
