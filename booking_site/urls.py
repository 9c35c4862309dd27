from django.contrib import admin
from django.urls import include, path, re_path

from booking_site import ops
from kernel.api import api_not_found

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kernel.api")),
    path("", include("equipment.api.urls")),
    path("", include("cabinets.api.urls")),
    path("", include("specialists.api.urls")),
    path("", include("integrations.webhooks.urls")),
    re_path(r"^api/", api_not_found),
    path("", include("integrations.telegram.urls")),
    path("", include("integrations.webapp.urls")),
    path("", include("integrations.calendar.urls")),
]
