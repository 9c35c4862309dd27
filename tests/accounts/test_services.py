import pytest

from accounts.services import telegram_account_block, telegram_account_set_manager
from kernel.channels import Actor
from kernel.errors import BookingError


def test_a_manager_can_make_someone_a_manager(alice, staff):
    telegram_account_set_manager(account=alice, actor=Actor.staff(staff), is_manager=True)

    alice.refresh_from_db()
    assert alice.is_manager


def test_making_a_blocked_account_a_manager_lifts_the_block(blocked, staff):
    telegram_account_set_manager(account=blocked, actor=Actor.staff(staff), is_manager=True)

    blocked.refresh_from_db()
    assert blocked.is_manager and not blocked.is_blocked and blocked.blocked_reason == ""


def test_removing_the_flag_lets_the_account_be_blocked_again(manager_account, staff, now):
    actor = Actor.staff(staff)
    with pytest.raises(BookingError):
        telegram_account_block(account=manager_account, actor=actor, now=now, reason="left")

    telegram_account_set_manager(account=manager_account, actor=actor, is_manager=False)
    telegram_account_block(account=manager_account, actor=actor, now=now, reason="left")

    manager_account.refresh_from_db()
    assert manager_account.is_blocked and not manager_account.is_manager


def test_a_client_cannot_grant_the_manager_flag(alice, bob):
    with pytest.raises(BookingError) as refusal:
        telegram_account_set_manager(account=bob, actor=Actor.telegram(alice), is_manager=True)

    assert refusal.value.code == "forbidden"
    bob.refresh_from_db()
    assert not bob.is_manager
