"""Prepaid packages: a manager sells one (cash at the clinic, or from the client's wallet), and an appointment of
its service by its client, on a day it is valid, is one of its sessions instead of a price.

A session is used by storing the appointment's price with a `package` line naming the package (pricing asks
`PackageSessions`, registered in kernel.pricing.packages); the sessions left are the package's sessions less
the client's appointments priced with it that are not cancelled or rejected. There is no counter: a cancelled
appointment gives its session back by being cancelled."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Count, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, TelegramAccount
from cabinets.models import CabinetBooking
from cabinets.services import RESOURCE as CABINET_RESOURCE
from kernel import locking
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.clock import clinic_today
from kernel.errors import BookingError
from kernel.pricing.lines import PACKAGE, ZERO, Line
from kernel.pricing.models import PriceLine
from payments.models import ClientPackage, PackageProduct, WalletTransaction
from payments.wallets import wallet_check, wallet_post
from specialists.services import RESOURCE as APPOINTMENT

logger = logging.getLogger(__name__)

PaidBy = ClientPackage.PaidBy
GIVEN_BACK = (Status.CANCELLED, Status.REJECTED)


@dataclass(frozen=True)
class PackageState:
    package: ClientPackage
    remaining: int


def with_sessions_used(queryset):
    """`queryset` of client packages, each annotated with `sessions_used`: its appointments priced with it that
    are not cancelled or rejected. The one place that counts a package's sessions."""
    live = CabinetBooking.objects.exclude(status__in=GIVEN_BACK).values("pk")
    used = (PriceLine.objects.filter(kind=PACKAGE, price__resource_type=CABINET_RESOURCE, price__booking_id__in=live)
            .annotate(package_id=Cast(KT("params__package_id"), BigIntegerField())).filter(package_id=OuterRef("pk"))
            .order_by().values("package_id").annotate(n=Count("id")).values("n")[:1])
    return queryset.annotate(sessions_used=Coalesce(Subquery(used), 0))


def sessions_used(package_ids: Iterable[int]) -> dict[int, int]:
    """How many sessions of each package are used, by package id."""
    return dict(with_sessions_used(ClientPackage.objects.filter(pk__in=list(package_ids)))
                .values_list("pk", "sessions_used"))


def packages_of(clients: Iterable[Client], *, today: date) -> list[PackageState]:
    """The clients' packages still valid `today` with the sessions each has left, the soonest to expire first."""
    packages = with_sessions_used(ClientPackage.objects.filter(client__in=list(clients), valid_until__gte=today)
                                  .select_related("service", "client").order_by("valid_until", "pk"))
    return [PackageState(package, max(package.sessions - package.sessions_used, 0)) for package in packages]


def account_packages(account: TelegramAccount, *, now: datetime) -> list[PackageState]:
    """The valid packages of the clients a Telegram account books as, with sessions left."""
    states = packages_of(Client.objects.filter(telegram_account=account), today=clinic_today(now))
    return [state for state in states if state.remaining]


class PackageSessions:
    """What pricing asks (kernel.pricing.packages.PackageSource): is this appointment a session of one of the
    client's packages? The soonest to expire with a session left is used."""

    def package_line(self, *, client, resource_type: str, request: Mapping, day: date, base_total: Decimal,
                     take: bool) -> Line | None:
        service = request.get("service") if resource_type == APPOINTMENT else None
        if service is None:
            return None
        candidates = (ClientPackage.objects.filter(client_id=client.pk, service_id=service.pk,
                                                   valid_until__gte=day)
                      .order_by("valid_until", "pk"))
        ids = list(candidates.values_list("pk", flat=True))
        if not ids:
            return None
        packages = locking.lock(ClientPackage, ids) if take else candidates.in_bulk(ids)
        used = sessions_used(ids)
        locking.after_check()
        for pk in ids:
            package = packages.get(pk)
            if package is not None and used[pk] < package.sessions:
                return Line(PACKAGE, "package", ZERO - base_total,
                            {"package_id": pk, "n": used[pk] + 1, "of": package.sessions})
        return None


def valid_until(product: PackageProduct, *, now: datetime) -> date:
    """The last clinic day a package bought at `now` covers: the day of the purchase and `validity_days` after."""
    return clinic_today(now) + timedelta(days=product.validity_days)


def package_sell_check(*, product: PackageProduct, client: Client, paid_by: str) -> None:
    """Read-only: would this sale be accepted now? Forms call it to show the refusal beside the field;
    `package_sell` checks again under the client's lock."""
    if not product.is_active:
        raise BookingError("invalid", _("This package is not on sale."), field="product")
    if paid_by not in PaidBy.values:
        raise BookingError("invalid", _("Choose how the client pays."), field="paid_by")
    if paid_by == PaidBy.WALLET:
        try:
            wallet_check(client=client, kind=WalletTransaction.Kind.PACKAGE_PURCHASE, amount=-product.price)
        except BookingError as exc:
            raise BookingError(exc.code, _("The wallet does not cover the package: %(refusal)s")
                               % {"refusal": exc.message}, field="paid_by", **{
                                   k: v for k, v in exc.details.items() if k != "field"}) from exc


def package_bought_online(*, payment, now: datetime) -> ClientPackage:
    """The package a client paid for through Telegram (payments.checkout): sold once per payment."""
    return package_sell(product=payment.product, client=Client(pk=payment.client_id), paid_by=PaidBy.TELEGRAM,
                        actor=Actor.system(), now=now, idempotency_key=f"payment:{payment.pk}", price=payment.amount)


@transaction.atomic
def package_sell(*, product: PackageProduct, client: Client, paid_by: str, actor: Actor, now: datetime,
                 idempotency_key: str, price: Decimal | None = None) -> ClientPackage:
    """Sell `product` to `client`, paid in cash or from the client's wallet (a `package_purchase` transaction
    under the same key). The same key again returns the package sold the first time."""
    locking.lock_one(Client, client.pk, _("This client no longer exists."))
    earlier = ClientPackage.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is not None:
        if (earlier.client_id, earlier.product_id, earlier.paid_by) != (client.pk, product.pk, paid_by):
            raise BookingError("idempotency_conflict", _("This operation key was already used for another sale."))
        return earlier
    if paid_by != PaidBy.TELEGRAM:  # paid online already: sold even if taken off sale since the invoice
        package_sell_check(product=product, client=client, paid_by=paid_by)
    posted = None
    if paid_by == PaidBy.WALLET:
        posted = wallet_post(client=client, kind=WalletTransaction.Kind.PACKAGE_PURCHASE, amount=-product.price,
                             reason=str(_("Package: %(product)s") % {"product": product})[:500], actor=actor,
                             idempotency_key=f"package:{idempotency_key}", now=now)
    package = ClientPackage.objects.create(
        product=product, client=client, service_id=product.service_id, sessions=product.sessions, bought_at=now,
        valid_until=valid_until(product, now=now), paid_by=paid_by, price=price or product.price,
        currency=settings.CURRENCY, actor=actor.label[:200], idempotency_key=idempotency_key,
        wallet_transaction=posted)
    logger.info("package %s sold to client %s (%s)", package.pk, client.pk, paid_by)
    return package
