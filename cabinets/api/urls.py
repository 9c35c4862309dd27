from django.urls import path

from cabinets.api import series, views, waitlist

urlpatterns = [
    path("api/v1/cabinets", views.CabinetsView.as_view(), name="api-cabinets"),
    path("api/v1/cabinets/availability", views.CabinetsAvailabilityView.as_view(), name="api-cabinets-availability"),
    path("api/v1/cabinets/<int:cabinet_id>/slots", views.CabinetSlotsView.as_view(), name="api-cabinet-slots"),
    path("api/v1/cabinet-bookings", views.CabinetBookingsView.as_view(), name="api-cabinet-bookings"),
    path("api/v1/cabinet-bookings/<path:external_booking_id>", views.CabinetBookingDetailView.as_view(),
         name="api-cabinet-booking"),
    path("api/v1/waitlist", waitlist.WaitlistView.as_view(), name="api-waitlist"),
    path("api/v1/waitlist/<int:wait_id>", waitlist.WaitDetailView.as_view(), name="api-wait"),
    path("api/v1/waitlist/<int:wait_id>/accept", waitlist.WaitAcceptView.as_view(), name="api-wait-accept"),
    path("api/v1/cabinet-series/<path:series_id>", series.CabinetSeriesDetailView.as_view(), name="api-cabinet-series"),
]
