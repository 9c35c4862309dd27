"""Whatever happens to a few clients' prepaid bookings, in any order (booked through the bot, invoices opened,
pre-checked, paid, the same update delivered again, a second invoice of one booking paid, payments failed, time
passing with the hold sweep, clients cancelling early or late, managers cancelling, rejecting and refunding,
bookings paid from the wallet, wallets topped up), the books balance after every step:

- every wallet's balance is its ledger's sum, never below zero, and exactly what came in through payments
  credited to it (top-ups, late money) and refunds to it, less the bookings it paid;
- no payment gives back more than was paid for it (refunds and wallet credits together), and a payment is
  `refunded` exactly when all of it was given back;
- no booking that had to be prepaid holds its place as pending or approved without a payment covering it;
- a booking is confirmed by payment at most once, ended as not paid at most once, and refunded for its end at
  most once per payment;
- the day's discount quota counts exactly the live bookings that took a discount, and the package counts
  exactly the live appointments priced as its sessions."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from accounts.models import Client
from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_cancel, cabinet_booking_reject
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create, equipment_booking_reject
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.pricing.lines import PACKAGE
from kernel.pricing.models import BookingPrice
from kernel.pricing.quota import daily_limit_set, quota_used
from kernel.pricing.services import booking_prices
from payments.checkout import invoice_open, payment_failed, payment_holds_sweep, payment_received, pre_checkout
from payments.direct import pay_from_wallet
from payments.invoices import topup_invoice_open
from payments.models import ClientPackage, PackageProduct, Payment, Refund, WalletTransaction
from payments.packages import package_sell, sessions_used
from payments.refunds import refund_make
from payments.wallets import wallet_balances
from specialists.models import Service, Specialist, WorkingHours
from specialists.services import appointment_create
from tests import factories
from tests.clock import NOW, at
from tests.kernel.pricing.conftest import make_rule

pytestmark = pytest.mark.django_db
State, Method = Payment.State, Payment.Method
DAY = date(2026, 12, 1)  # the bookings' day, a week after NOW
LIVE = (Status.AWAITING_PAYMENT, Status.PENDING, Status.APPROVED)
CONFIRMED = (Status.PENDING, Status.APPROVED, Status.COMPLETED)
ZERO = Decimal("0.00")
CLIENTS = 3

clients = st.integers(min_value=0, max_value=CLIENTS - 1)
# A booking, an invoice or a payment, counted from the latest one back (modulo how many there are).
picks = st.integers(min_value=0, max_value=4)
SHAPES = {
    "book": st.tuples(st.just("book"), clients, st.sampled_from(["item", "visit"]),
                      st.integers(min_value=0, max_value=3)),
    "invoice": st.tuples(st.just("invoice"), picks),
    "checkout": st.tuples(st.just("checkout"), picks),
    "pre_checkout": st.tuples(st.just("pre_checkout"), picks),
    "pay": st.tuples(st.just("pay"), picks),
    "pay_again": st.tuples(st.just("pay_again"), picks),
    "fail": st.tuples(st.just("fail"), picks),
    "wait": st.tuples(st.just("wait"), st.sampled_from([1, 3, 5, 16])),  # minutes; the hold is 15
    "client_cancels": st.tuples(st.just("client_cancels"), picks, st.booleans()),
    "manager_ends": st.tuples(st.just("manager_ends"), picks, st.sampled_from(["cancel", "reject"])),
    "refund": st.tuples(st.just("refund"), picks, st.sampled_from(["1", "0.5", "0.3"]),
                        st.sampled_from(["wallet", "card"])),
    "pay_from_wallet": st.tuples(st.just("pay_from_wallet"), picks),
    "top_up": st.tuples(st.just("top_up"), clients, st.sampled_from(["500.00", "1500.00", "3000.00"])),
}
# The usual road (book, then pay: invoice, pre-checkout, payment) is taken more often than the detours.
KINDS = [*SHAPES, "book", "book", "checkout", "checkout", "pay", "wait", "client_cancels", "manager_ends", "top_up",
         "pay_from_wallet"]
steps = st.lists(st.sampled_from(KINDS).flatmap(SHAPES.__getitem__), min_size=8, max_size=25)


@pytest.fixture
def clinic(db, settings):
    """A prepaid ECG (two units, 1500 a day) and a prepaid ultrasound (2500) a doctor performs in one cabinet; a
    10% discount on 1000 or more, two a day; three clients with their Telegram accounts, the first of whom
    holds a package of two ultrasounds."""
    settings.PAYMENT_PROVIDER_TOKEN = "284685063:TEST:token"
    settings.PAYMENT_HOLD_MINUTES = 15
    settings.REFUND_FULL_HOURS_BEFORE = 24
    settings.MAX_ACTIVE_BOOKINGS_PER_USER = 0
    item = factories.ItemFactory(name="ЭКГ", quantity=2, price_per_day=Decimal("1500.00"), prepayment_required=True)
    service = Service.objects.create(name="УЗИ", duration_minutes=60, price=Decimal("2500.00"),
                                     prepayment_required=True)
    doctor = Specialist.objects.create(name="Анна Смирнова")
    for weekday in range(7):
        WorkingHours.objects.create(specialist=doctor, weekday=weekday, start=at(DAY, 9).time(),
                                    end=at(DAY, 18).time())
    service.specialists.set([doctor])
    service.cabinets.set([factories.with_week(factories.CabinetFactory(name="Кабинет 1"))])
    make_rule("threshold", "10", min_total="1000")
    daily_limit_set(2)
    accounts = [factories.TelegramAccountFactory() for _ in range(CLIENTS)]
    people = [Client.objects.create(phone=f"+7999111220{n}", name=f"Клиент {n}") for n in range(CLIENTS)]
    product = PackageProduct.objects.create(service=service, sessions=2, price=Decimal("4000.00"), validity_days=30)
    package = package_sell(product=product, client=people[0], paid_by=ClientPackage.PaidBy.CASH,
                           actor=Actor.system(), now=NOW, idempotency_key="package-1")
    return Clinic(item=item, service=service, accounts=accounts, clients=people, package=package,
                  staff=Actor.staff(factories.StaffUserFactory(username="manager")))


@dataclass
class Clinic:
    item: object
    service: object
    accounts: list
    clients: list
    package: ClientPackage
    staff: Actor


def latest(things: list, pick: int):
    return things[-1 - pick % len(things)]


@dataclass
class Run:
    """What one example did so far: its clock, its bookings, its invoices and the updates Telegram sent."""

    clinic: Clinic
    now: datetime = NOW
    bookings: list = field(default_factory=list)  # (resource type, booking id)
    invoices: list = field(default_factory=list)  # (payload, total in minor units)
    checked: set = field(default_factory=set)  # payloads Telegram was told it may charge
    updates: list = field(default_factory=list)  # successful_payment updates sent: (payload, total, charge id)
    number: int = 0

    def next(self) -> int:
        self.number += 1
        return self.number

    def booking(self, pick: int):
        if not self.bookings:
            return None, None
        resource_type, pk = latest(self.bookings, pick)
        return resource_type, self.booking_of(resource_type, pk)

    def booking_of(self, resource_type: str, pk: int):
        return (EquipmentBooking if resource_type == "equipment" else CabinetBooking).objects.get(pk=pk)


def book(run: Run, who: int, what: str, slot: int) -> None:
    account, person = run.clinic.accounts[who], run.clinic.clients[who]
    if what == "item":
        booking = equipment_booking_create(item=run.clinic.item, start_date=DAY + timedelta(days=slot), units=1,
                                           client_name=person.name, client_phone=person.phone,
                                           actor=Actor.telegram(account), channel=Channel.BOT, now=run.now)
        run.bookings.append(("equipment", booking.pk))
    else:
        booking = appointment_create(service=run.clinic.service, starts_at=at(DAY, (9, 11, 15, 17)[slot]),
                                     client_name=person.name, client_phone=person.phone,
                                     actor=Actor.telegram(account), channel=Channel.BOT, now=run.now)
        run.bookings.append(("cabinet", booking.pk))


def invoice(run: Run, pick: int) -> None:
    resource_type, booking = run.booking(pick)
    if booking is None:
        return
    opened = invoice_open(booking=booking, resource_type=resource_type, what="Запись", now=run.now,
                          actor=Actor.telegram(booking.requester))
    run.invoices.append((opened.payload, opened.total))


def awaiting_latest(run: Run, pick: int) -> bool:
    """Make a booking awaiting payment (if there is one) the latest; whether there was."""
    awaiting = [(kind, pk) for kind, pk in run.bookings if run.booking_of(kind, pk).status == Status.AWAITING_PAYMENT]
    if awaiting:
        run.bookings.append(run.bookings.pop(run.bookings.index(latest(awaiting, pick))))
    return bool(awaiting)


def checkout(run: Run, pick: int) -> None:
    """A client pays for a booking awaiting payment, the usual way: opens an invoice and pays it."""
    if awaiting_latest(run, pick):
        invoice(run, 0)
        paid(run, 0)


def checked_out(run: Run, pick: int) -> None:
    if run.invoices:
        payload, total = latest(run.invoices, pick)
        if pre_checkout(payload=payload, currency="RUB", total_amount=total, now=run.now) is None:
            run.checked.add(payload)


def paid(run: Run, pick: int) -> None:
    """The client pays an invoice: Telegram asks first (unless it was told to go ahead before, perhaps long ago)
    and charges only when told yes."""
    if run.invoices:
        payload, total = latest(run.invoices, pick)
        if payload not in run.checked:
            checked_out(run, pick)
        if payload not in run.checked:
            return
        update = (payload, total, f"tg-{run.next()}")
        received = payment_received(payload=payload, currency="RUB", total_amount=total, telegram_charge_id=update[2],
                                    provider_charge_id="prov", now=run.now)
        assert received.outcome in ("paid", "late"), received
        event(f"pay: {received.outcome}")
        run.updates.append(update)


def paid_again(run: Run, pick: int) -> None:
    if run.updates:
        payload, total, charge = latest(run.updates, pick)
        received = payment_received(payload=payload, currency="RUB", total_amount=total, telegram_charge_id=charge,
                                    provider_charge_id="prov", now=run.now)
        assert received.outcome == "repeat", received


def failed(run: Run, pick: int) -> None:
    """A payment fails (an invoice still open, if any: one already paid is not touched)."""
    open_ = set(Payment.objects.filter(state__in=(State.CREATED, State.PENDING)).values_list("invoice_payload",
                                                                                             flat=True))
    invoices = [invoice for invoice in run.invoices if invoice[0] in open_] or run.invoices
    if invoices:
        payment_failed(payload=latest(invoices, pick)[0], now=run.now)


def time_passes(run: Run, minutes: int) -> None:
    run.now += timedelta(minutes=minutes)
    payment_holds_sweep(now=run.now)


@contextmanager
def never_refused(booking, when=LIVE):
    """Ending a booking that holds its place (one `when` it may be ended) is never refused, whatever its money
    went through: a refusal there would keep a client's place and money hostage."""
    try:
        yield
    except BookingError as refusal:
        assert booking.status not in when, f"{booking.reference} ({booking.status}) could not be ended: {refusal}"
        raise


def client_cancels(run: Run, pick: int, late: bool) -> None:
    resource_type, booking = run.booking(pick)
    if booking is None:
        return
    cancel = equipment_booking_cancel if resource_type == "equipment" else cabinet_booking_cancel
    # Late: the refund deadline (this many hours before the start) has passed.
    with override_settings(REFUND_FULL_HOURS_BEFORE=24 * 30 if late else 24), never_refused(booking):
        cancel(booking=booking, actor=Actor.telegram(booking.requester), now=run.now, channel=Channel.BOT)


def manager_ends(run: Run, pick: int, how: str) -> None:
    resource_type, booking = run.booking(pick)
    if booking is None:
        return
    if how == "cancel":
        cancel = equipment_booking_cancel if resource_type == "equipment" else cabinet_booking_cancel
        with never_refused(booking):
            cancel(booking=booking, actor=run.clinic.staff, now=run.now)
    else:
        reject = equipment_booking_reject if resource_type == "equipment" else cabinet_booking_reject
        with never_refused(booking, when=(Status.PENDING,)):
            reject(booking=booking, actor=run.clinic.staff, now=run.now, reason="Прибор на поверке")


def refunded(run: Run, pick: int, share: str, destination: str) -> None:
    payments = list(Payment.objects.filter(state__in=(State.PAID, State.REFUNDED)).order_by("pk"))
    if not payments:
        return
    payment = latest(payments, pick)
    left = payment.amount - payment.refunded_amount
    amount = max((left * Decimal(share)).quantize(Decimal("0.01"), rounding=ROUND_DOWN), Decimal("0.01"))
    refund_make(payment=payment, amount=amount, destination=destination, reason="Клиент попросил",
                actor=run.clinic.staff, now=run.now, idempotency_key=f"refund-{run.next()}")


def paid_from_wallet(run: Run, pick: int) -> None:
    resource_type, booking = run.booking(0 if awaiting_latest(run, pick) else pick)
    if booking is not None:
        pay_from_wallet(booking=booking, resource_type=resource_type, actor=Actor.telegram(booking.requester),
                        channel=Channel.BOT, now=run.now)


def topped_up(run: Run, who: int, amount: str) -> None:
    opened = topup_invoice_open(client=run.clinic.clients[who], amount=Decimal(amount),
                                actor=Actor.telegram(run.clinic.accounts[who]), now=run.now)
    assert pre_checkout(payload=opened.payload, currency="RUB", total_amount=opened.total, now=run.now) is None
    received = payment_received(payload=opened.payload, currency="RUB", total_amount=opened.total,
                                telegram_charge_id=f"tg-{run.next()}", provider_charge_id="prov", now=run.now)
    assert received.outcome == "paid"


ACTIONS = {"book": book, "invoice": invoice, "checkout": checkout, "pre_checkout": checked_out, "pay": paid,
           "pay_again": paid_again, "fail": failed, "wait": time_passes, "client_cancels": client_cancels,
           "manager_ends": manager_ends, "refund": refunded, "pay_from_wallet": paid_from_wallet,
           "top_up": topped_up}


def credited(payment: Payment) -> bool:
    """Money that came in through Telegram and went to the wallet (a top-up, a payment after its hold)."""
    return payment.method == Method.TELEGRAM and payment.wallet_transaction_id is not None


def assert_the_books_balance(run: Run) -> None:
    payments = list(Payment.objects.select_related("wallet_transaction").order_by("pk"))
    refunds = list(Refund.objects.select_related("payment").order_by("pk"))

    for payment in payments:
        assert ZERO <= payment.refunded_amount <= payment.amount, payment
        if payment.state in (State.PAID, State.REFUNDED):
            assert (payment.state == State.REFUNDED) == (payment.refunded_amount == payment.amount), payment
        else:
            assert payment.refunded_amount == ZERO, payment
        given_back = payment.refunded_amount + (payment.wallet_transaction.amount if credited(payment) else ZERO)
        assert given_back <= payment.amount, f"{payment} gave back {given_back}"
        assert sum((r.amount for r in refunds if r.payment_id == payment.pk), ZERO) == payment.refunded_amount

    ledgers = {person.pk: ZERO for person in run.clinic.clients}
    for client_id, amount in WalletTransaction.objects.values_list("client_id", "amount"):
        ledgers[client_id] += amount
    assert wallet_balances(run.clinic.clients) == ledgers
    for client_id, balance in ledgers.items():
        came_in = sum((p.wallet_transaction.amount for p in payments if credited(p) and p.client_id == client_id),
                      ZERO)
        refunded_in = sum((r.amount for r in refunds if r.destination == "wallet" and r.payment.client_id == client_id),
                          ZERO)
        spent = sum((p.amount for p in payments if p.method == Method.WALLET and p.client_id == client_id), ZERO)
        assert balance == came_in + refunded_in - spent >= 0, (client_id, balance, came_in, refunded_in, spent)

    events = Counter(Event.objects.filter(topic__in=(Event.Topic.PAID, Event.Topic.NOT_PAID))
                     .values_list("resource_type", "booking_id", "topic"))
    assert all(n == 1 for n in events.values()), events
    ended = Counter(r.payment_id for r in refunds if r.idempotency_key.startswith("ended:"))
    assert all(n == 1 for n in ended.values()), ended

    day, discounted, sessions = run.now.date(), 0, 0
    for resource_type, model in (("equipment", EquipmentBooking), ("cabinet", CabinetBooking)):
        bookings = model.objects.filter(pk__in=[pk for kind, pk in run.bookings if kind == resource_type])
        prices = booking_prices(resource_type=resource_type, booking_ids=[b.pk for b in bookings])
        quota_days = dict(BookingPrice.objects.filter(resource_type=resource_type, booking_id__in=prices)
                          .values_list("booking_id", "quota_day"))
        prepaid = set(bookings.filter(history__from_status="", history__to_status=Status.AWAITING_PAYMENT)
                      .values_list("pk", flat=True))
        for booking in bookings:
            price = prices[booking.pk]
            live = booking.status in LIVE
            discounted += live and quota_days[booking.pk] == day
            sessions += live and any(line.kind == PACKAGE and line.params["package_id"] == run.clinic.package.pk
                                     for line in price.lines)
            if booking.status in CONFIRMED and booking.pk in prepaid:
                covering = [p for p in payments if p.resource_type == resource_type and p.booking_id == booking.pk
                            and p.state in (State.PAID, State.REFUNDED) and not credited(p)
                            and p.amount >= price.total]
                assert covering, f"{booking.reference} is {booking.status} unpaid"
    assert quota_used(day) == discounted
    assert sessions_used([run.clinic.package.pk])[run.clinic.package.pk] == sessions <= run.clinic.package.sessions


@settings(max_examples=70, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps)
# Two invoices of one booking, both pre-checked while it awaited payment, both paid: the second one's money goes
# to the wallet; then the booking ends (by its client in time, by a manager) and only the first is refunded.
@example([("book", 1, "item", 0), ("invoice", 0), ("invoice", 0), ("pre_checkout", 0), ("pre_checkout", 1),
          ("pay", 0), ("pay", 1), ("client_cancels", 0, False)])
@example([("book", 2, "visit", 1), ("invoice", 0), ("invoice", 0), ("pre_checkout", 0), ("pre_checkout", 1),
          ("pay", 1), ("pay", 0), ("pay_again", 1), ("manager_ends", 0, "cancel")])
def test_whatever_happens_to_prepaid_bookings_the_books_balance(clinic, steps):
    run = Run(clinic)
    with transaction.atomic():  # each example starts from the same clinic: what it did is rolled back
        try:
            for step in steps:
                try:
                    ACTIONS[step[0]](run, *step[1:])
                except BookingError as refusal:  # an answer too: the books balance whatever was refused
                    event(f"{step[0]} refused: {refusal.code}")
                assert_the_books_balance(run)
        finally:
            transaction.set_rollback(True)
