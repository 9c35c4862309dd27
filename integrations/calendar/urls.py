from django.urls import path

from integrations.calendar import views

urlpatterns = [
    path("calendar/<str:token>.ics", views.personal, name="calendar_personal"),
    path("calendar/cabinets/<int:cabinet_id>/<str:token>.ics", views.cabinet, name="calendar_cabinet"),
]
