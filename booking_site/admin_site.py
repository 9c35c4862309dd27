"""The clinic's admin site: its titles, "View site" pointing at the booking page, and a "Manager panel"
group at the top of the app list (home page and sidebar) with the pages that are not models: the day
schedule, statistics, revenue, equipment occupancy and the monthly audits."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

# (label, url name, the permission that shows it)
MANAGER_PAGES = [
    (_("Day schedule"), "admin:cabinets_day_schedule", "cabinets.view_cabinetbooking"),
    (_("Specialists' day"), "admin:specialists_day", "specialists.view_specialist"),
    (_("Phone booking: service"), "admin:specialists_book", "cabinets.add_cabinetbooking"),
    (_("Equipment occupancy"), "admin:equipment_occupancy", "equipment.view_equipmentbooking"),
    (_("Statistics"), "admin:clinic_statistics", "cabinets.view_cabinetbooking"),
    (_("Attendance statistics"), "admin:clinic_period_statistics", "cabinets.view_cabinetbooking"),
    (_("Revenue"), "admin:clinic_revenue", "cabinets.view_cabinetbooking"),
    (_("Reconciliation"), "admin:payments_reconciliation", "payments.view_payment"),
    (_("Monthly audits"), "admin:integrations_auditexport_changelist", "integrations.view_auditexport"),
]
PANEL_LABEL = "manager_panel"


def manager_pages(user) -> list[dict]:
    """The panel's pages this user may open, as app-list model entries."""
    pages = []
    for label, url_name, permission in MANAGER_PAGES:
        if not user.has_perm(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # the admin that serves it is not installed
            continue
        pages.append({"name": label, "object_name": url_name.rsplit(":", 1)[-1], "admin_url": url,
                      "add_url": None, "view_only": True, "perms": {"view": True}})
    return pages


class ClinicAdminSite(admin.AdminSite):
    site_header = _("Clinic booking")
    site_title = _("Clinic booking")
    index_title = _("Manager panel")
    index_template = "admin/clinic_index.html"
    site_url = "/app/"

    def manager_pages(self, user) -> list[dict]:
        """The panel's pages `user` may open; model admins show them above their lists (`self.admin_site`),
        so no app imports this module."""
        return manager_pages(user)

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        match = getattr(request, "resolver_match", None)
        if app_label is not None or (match is not None and match.url_name == "index"):
            return apps  # the home page shows the panel with a line on each page (admin/clinic_index.html)
        pages = manager_pages(request.user)
        if not pages:
            return apps
        panel = {"name": _("Manager panel"), "app_label": PANEL_LABEL, "app_url": reverse("admin:index"),
                 "has_module_perms": True, "models": pages}
        return [panel, *apps]

    def get_urls(self):
        from integrations.audit.admin_views import export_now_view

        return [
            path("integrations/auditexport/export-now/", self.admin_view(export_now_view),
                 name="integrations_auditexport_export_now"),
            *super().get_urls(),
        ]

    def each_context(self, request):
        from integrations.audit.admin_views import can_export, default_month

        context = super().each_context(request)
        if request.path.startswith(reverse("admin:integrations_auditexport_changelist")):
            context["can_export_audit"] = can_export(request.user)
            context["export_default_month"] = default_month()
        return context


class ClinicAdminConfig(AdminConfig):
    default_site = "booking_site.admin_site.ClinicAdminSite"
