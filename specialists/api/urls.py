from django.urls import path

from specialists.api import quotes, views

urlpatterns = [
    path("api/v1/services", views.ServicesView.as_view(), name="api-services"),
    path("api/v1/specialists", views.SpecialistsView.as_view(), name="api-specialists"),
    path("api/v1/services/<int:service_id>/availability", views.ServiceAvailabilityView.as_view(),
         name="api-service-availability"),
    path("api/v1/appointments", views.AppointmentsView.as_view(), name="api-appointments"),
    path("api/v1/appointments/<path:external_booking_id>", views.AppointmentDetailView.as_view(),
         name="api-appointment"),
    path("api/v1/quotes", quotes.QuotesView.as_view(), name="api-quotes"),
]
