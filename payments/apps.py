from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from kernel import metrics, prepayment
        from kernel.pricing import packages
        from payments import errors  # noqa: F401  registers the wallets' error codes with the kernel
        from payments.packages import PackageSessions
        from payments.refunds import BookingSettlement
        from payments.wallets import wallet_gauge_refresh

        metrics.register_scrape_hook(wallet_gauge_refresh)
        packages.register(PackageSessions())
        prepayment.register(BookingSettlement())
