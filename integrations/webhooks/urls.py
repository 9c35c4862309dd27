from django.urls import path

from integrations.webhooks import api

urlpatterns = [
    path("api/v1/webhooks", api.WebhooksView.as_view(), name="api-webhooks"),
    path("api/v1/webhooks/<str:webhook_id>", api.WebhookDetailView.as_view(), name="api-webhook"),
]
