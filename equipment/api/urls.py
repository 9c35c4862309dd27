from django.urls import path

from equipment.api import views

urlpatterns = [
    path("api/v1/items", views.ItemsView.as_view(), name="api-items"),
    path("api/v1/availability/bulk", views.BulkAvailabilityView.as_view(), name="api-availability-bulk"),
    path("api/v1/availability/<path:item_name>", views.ItemAvailabilityView.as_view(), name="api-availability"),
    path("api/items/availability", views.ItemsAvailabilityView.as_view(), name="api-items-availability"),
    path("api/devices", views.DevicesView.as_view(), name="api-devices"),
    path("api/book-device", views.BookDeviceView.as_view(), name="api-book-device"),
    path("api/book-device/<path:external_booking_id>", views.BookDeviceCancelView.as_view(),
         name="api-book-device-cancel"),
    path("api/v1/equipment-bookings", views.EquipmentBookingsView.as_view(), name="api-equipment-bookings"),
    path("api/v1/equipment-bookings/<path:external_booking_id>", views.EquipmentBookingDetailView.as_view(),
         name="api-equipment-booking"),
]
