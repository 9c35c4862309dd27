from django.urls import path

from integrations.telegram import views

urlpatterns = [
    path("telegram/equipment/", views.equipment_webhook, name="telegram-equipment"),
    path("telegram/cabinets/", views.cabinet_webhook, name="telegram-cabinets"),
]
