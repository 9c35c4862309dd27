"""Importing the discounts of the services file: the rules matched by kind (and the total a threshold starts
from), so a re-import updates them in place; the daily discount quota set. Rules the file does not name are
left as they are (the admin edits the same records)."""

from __future__ import annotations

from integrations.catalog.parse_services import ServicesFile
from integrations.catalog.report import Outcome
from integrations.catalog.rows import apply_values, save_checked
from kernel.pricing.models import DiscountRule
from kernel.pricing.quota import daily_limit, daily_limit_set

QUOTA_NAME = "daily discount quota"


def _name(rule: DiscountRule) -> str:
    return f"{rule.kind} from {rule.min_total}" if rule.min_total is not None else rule.kind


def import_discounts(services: ServicesFile) -> Outcome | None:
    """What the file's discounts did; None when it has neither rules nor a quota."""
    if services.discounts is None and services.discount_daily_quota is None:
        return None
    outcome = Outcome()
    if services.discounts is not None:
        existing = list(DiscountRule.objects.select_for_update().order_by("pk"))
        by_key = {(rule.kind, rule.min_total): rule for rule in existing}
        for spec in services.discounts:
            values = {"percent": spec.percent, "active_from": spec.active_from, "active_until": spec.active_until,
                      "is_active": spec.is_active}
            rule = by_key.get(spec.key)
            if rule is None:
                save_checked(DiscountRule(kind=spec.kind, min_total=spec.min_total, **values), where=spec.where,
                             source=services.source)
                outcome.created.append(spec.name)
                continue
            changes = apply_values(rule, values)
            if changes:
                save_checked(rule, where=spec.where, source=services.source)
                outcome.updated.append((spec.name, changes))
            else:
                outcome.unchanged.append(spec.name)
        named = {spec.key for spec in services.discounts}
        outcome.not_in_file = [_name(rule) for rule in existing if (rule.kind, rule.min_total) not in named]
    if services.discount_daily_quota is not None:
        before = daily_limit()
        daily_limit_set(services.discount_daily_quota)
        if before != services.discount_daily_quota:
            outcome.updated.append((QUOTA_NAME, [f"{before} → {services.discount_daily_quota}"]))
        else:
            outcome.unchanged.append(QUOTA_NAME)
    return outcome
