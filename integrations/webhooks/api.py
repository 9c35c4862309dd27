"""GET|POST /api/v1/webhooks and DELETE /api/v1/webhooks/{id}: a partner's own endpoints (scope
write:bookings). The secret is in the answer to the POST and nowhere else."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from integrations.webhooks.events import EVENT_TYPE_NAMES
from integrations.webhooks.models import PartnerWebhook
from integrations.webhooks.services import webhook_create, webhook_delete, webhooks_of
from kernel.api import WRITE_BOOKINGS, PartnerAPIView, StrictSerializer, error_responses, local_iso, parse

TAG = "Webhooks"
SIGNATURE_NOTE = (
    "Every delivery is a POST with a JSON body `{\"id\", \"type\", \"created_at\", \"data\"}` (`data` is the "
    "booking as the booking endpoints return it) and the header `X-Clinic-Signature: t=<unix>,v1=<hex>`, where "
    "`v1` is the HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint's secret. Answer 2xx within 5 s; "
    "anything else is retried with exponential backoff for 24 h. Use `id` to ignore repeats."
)


class WebhookRequest(StrictSerializer):
    url = serializers.CharField(max_length=500, help_text="http(s) URL that receives the events.")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(EVENT_TYPE_NAMES), required=False, allow_empty=False,
        max_length=len(EVENT_TYPE_NAMES), help_text="Events to receive; every type when omitted.")
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    event_types = serializers.ListField(child=serializers.ChoiceField(EVENT_TYPE_NAMES))
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(help_text="The signing secret. Shown in this answer only: store it now.")


class WebhooksOut(serializers.Serializer):
    webhooks = WebhookOut(many=True)


def webhook_body(webhook: PartnerWebhook) -> dict:
    return {"id": webhook.pk, "url": webhook.url, "event_types": list(webhook.event_types),
            "is_active": webhook.is_active, "created_at": local_iso(webhook.created_at)}


EXAMPLE = {"id": 3, "url": "https://crm.example.com/clinic/webhooks",
           "event_types": ["booking.created", "booking.cancelled"], "is_active": True,
           "created_at": "2026-11-23T10:00:00+03:00"}


class WebhooksView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="webhooks_list", tags=[TAG], summary="Your webhook endpoints",
        description="Scope `write:bookings`. Secrets are never shown again.",
        responses={200: WebhooksOut, **error_responses(403)},
        examples=[OpenApiExample("list", response_only=True, value={"webhooks": [EXAMPLE]})],
    )
    def get(self, request):
        return Response({"webhooks": [webhook_body(webhook) for webhook in webhooks_of(self.partner)]})

    @extend_schema(
        operation_id="webhook_create", tags=[TAG], summary="Add a webhook endpoint",
        description="Scope `write:bookings`. " + SIGNATURE_NOTE + " At most 10 endpoints per partner; in "
                    "production the URL must resolve to a public address.",
        request=WebhookRequest,
        responses={201: WebhookCreatedOut, **error_responses(400, 403, 413)},
        examples=[
            OpenApiExample("request", request_only=True, value={
                "url": "https://crm.example.com/clinic/webhooks", "event_types": ["booking.created",
                                                                                "booking.cancelled"]}),
            OpenApiExample("created", response_only=True, status_codes=["201"],
                           value={**EXAMPLE, "secret": "whsec_6QnS0c3l0r5Hq7w…"}),
        ],
    )
    def post(self, request):
        data = parse(WebhookRequest, request.data)
        webhook, secret = webhook_create(partner=self.partner, url=data["url"],
                                         event_types=data.get("event_types") or EVENT_TYPE_NAMES,
                                         is_active=data["is_active"], now=timezone.now())
        return Response({**webhook_body(webhook), "secret": secret}, status=status.HTTP_201_CREATED)


class WebhookDetailView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="webhook_delete", tags=[TAG], summary="Remove one of your webhook endpoints",
        description="Scope `write:bookings`. Its pending deliveries are dropped.",
        parameters=[OpenApiParameter("webhook_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                     description="The `id` the endpoint was created with.")],
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request, webhook_id: str):
        # Any segment reaches this view, so that a malformed id is a JSON 404 like an unknown one.
        number = int(webhook_id) if webhook_id.isascii() and webhook_id.isdigit() else 0
        webhook_delete(partner=self.partner, webhook_id=number)
        return Response(status=status.HTTP_204_NO_CONTENT)
