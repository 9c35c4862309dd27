from django.conf import settings


def test_tests_run_with_test_settings():
    assert settings.TESTING is True
    assert settings.CELERY_BROKER_URL == "memory://"
