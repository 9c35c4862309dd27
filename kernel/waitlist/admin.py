"""The waitlist in the admin: who waits for what, in which order, and their offers. Entries are made by the
bots and the API; a manager can take people off the list (through the service, so an open offer passes on)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import admin, messages
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kernel.adapters import resource_choices
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.waitlist.models import LIVE_STATUSES, Wait
from kernel.waitlist.services import wait_cancel, wait_resource_name, with_resource_names


class DayFilter(admin.SimpleListFilter):
    """Waits that want a given day (equipment ranges include every day between)."""

    title = _("day")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        days = [today + timedelta(days=n) for n in range(7)]
        chosen = self._day()
        if chosen is not None and chosen not in days:
            days.insert(0, chosen)
        return [(d.isoformat(), date_format(d, "D d.m")) for d in days]

    def _day(self) -> date | None:
        try:
            return date.fromisoformat(self.value() or "")
        except ValueError:
            return None

    def queryset(self, request, queryset):
        day = self._day()
        if day is None:
            return queryset
        return queryset.filter(start_date__lte=day, end_date__gte=day)


class ResourceTypeFilter(admin.SimpleListFilter):
    """Waits for one kind of resource (each registered adapter is one choice)."""

    title = _("resource type")
    parameter_name = "resource_type"

    def lookups(self, request, model_admin):
        return resource_choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(resource_type=self.value())
        return queryset


class LiveFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("live", _("In the queue (waiting or offered)")), *Wait.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(status__in=LIVE_STATUSES)
        if self.value() in Wait.Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Wait)
class WaitAdmin(admin.ModelAdmin):
    list_display = ("id", "resource", "wanted", "units", "client_name", "who", "status", "position",
                    "offer_expires_at", "created_at")
    list_filter = (LiveFilter, DayFilter, ResourceTypeFilter, "channel")
    list_select_related = ("requester", "partner")
    search_fields = ("client_name", "client_phone", "external_booking_id")
    ordering = ("created_at", "id")
    actions = ["cancel_selected"]
    readonly_fields = [f.name for f in Wait._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # rows change only through the actions (services)

    def has_cancel_permission(self, request):
        """Taking people off the list changes their waits: it needs the model's change permission."""
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changelist_instance(self, request):
        """The page's resource names read through the adapters, one query per resource type."""
        changelist = super().get_changelist_instance(request)
        changelist.result_list = with_resource_names(changelist.result_list)
        return changelist

    @admin.display(description=_("resource"))
    def resource(self, obj: Wait) -> str:
        """The resource's name from its adapter: read for the whole page at once (see `get_changelist_instance`)."""
        return wait_resource_name(obj) or f"{obj.resource_type} #{obj.resource_id}"

    @admin.display(description=_("wanted"), ordering="start_date")
    def wanted(self, obj: Wait) -> str:
        if obj.starts_at:
            start = timezone.localtime(obj.starts_at)
            end = timezone.localtime(obj.ends_at)
            return f"{date_format(start.date(), 'd.m.Y')} {start:%H:%M}–{end:%H:%M}"
        if obj.start_date == obj.end_date:
            return date_format(obj.start_date, "d.m.Y")
        return f"{date_format(obj.start_date, 'd.m.Y')} – {date_format(obj.end_date, 'd.m.Y')}"

    @admin.display(description=_("via"))
    def who(self, obj: Wait) -> str:
        if obj.partner_id:
            return obj.partner.name
        if obj.requester_id:
            return str(obj.requester)
        return obj.get_channel_display()

    def get_queryset(self, request):
        """Each row's place in its queue, counted in the same query (1 = first)."""
        ahead = Wait.objects.filter(
            Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lte=OuterRef("id")),
            resource_type=OuterRef("resource_type"), resource_id=OuterRef("resource_id"), status__in=LIVE_STATUSES,
        ).order_by().annotate(n=Func(F("id"), function="COUNT")).values("n")
        return super().get_queryset(request).annotate(
            place=Case(When(status__in=LIVE_STATUSES, then=Subquery(ahead)), default=None))

    @admin.display(description=_("place"))
    def position(self, obj: Wait):
        return getattr(obj, "place", None) or "—"

    @admin.action(description=_("Take the selected off the waitlist"), permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        done = 0
        for wait in queryset:
            try:
                wait_cancel(wait=wait, actor=Actor.staff(request.user), now=timezone.now())
                done += 1
            except BookingError as exc:
                self.message_user(request, f"#{wait.pk}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, _("%(n)s taken off the waitlist.") % {"n": done}, messages.SUCCESS)
