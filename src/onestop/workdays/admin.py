"""Admin for the working-day calendar, kept by catalog administrators (事项管理员).

One write path: saves, deletions and the publish action go through ``workdays.services``;
the forms run the same validators first so that a refusal appears next to its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onestop.accounts.admin_access import RoleModelAdmin
from onestop.accounts.roles import Permission
from onestop.core.errors import DomainError
from onestop.workdays import services
from onestop.workdays.kinds import DaySource
from onestop.workdays.models import CalendarDay, ScheduleYear
from onestop.workdays.validators import WEEKDAY_NAMES, validate_calendar_day


def _adopt(obj: Model, saved: Model) -> None:
    """Make the admin's unsaved ``obj`` the row the service wrote (redirect, log entry)."""
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = saved._state.db


class CalendarEditorAdmin(RoleModelAdmin):
    """Superusers, holders of the model permission, and staff whose role may edit the calendar."""

    staff_permission = Permission.CALENDAR_EDIT


class YearFilter(admin.SimpleListFilter):
    title = _("年度")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = (
            CalendarDay.objects.annotate(y=ExtractYear("date"))
            .order_by("-y")
            .values_list("y", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> QuerySet:
        year = self.value()
        if year and year.isdigit():
            return queryset.filter(date__year=int(year))
        return queryset


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "source", "name", "note"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day = data.get("date", self.instance.date if self.instance.pk else None)
        source = data.get("source", self.instance.source if self.instance.pk else None)
        if day and source and data.get("kind"):
            try:
                validate_calendar_day(day=day, kind=data["kind"], source=source)
            except DomainError as exc:
                field = exc.field if exc.field in self.fields else None
                self.add_error(field, exc.message)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarEditorAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "name", "source", "note"]
    list_filter = [YearFilter, "kind", "source"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["-date", "source"]
    list_per_page = 100

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDay | None = None
    ) -> list[str]:
        # Date and source identify the row: to move it, delete it and add another.
        return ["date", "source"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = services.calendar_day_set(
            day=obj.date, kind=obj.kind, source=obj.source, name=obj.name, note=obj.note
        )
        _adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_day_remove(day=obj.date, source=obj.source)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day, source in queryset.values_list("date", "source"):
            services.calendar_day_remove(day=day, source=source)


@admin.register(ScheduleYear)
class ScheduleYearAdmin(CalendarEditorAdmin):
    list_display = ["year", "is_published", "notice", "published_at", "day_count"]
    list_filter = ["is_published"]
    ordering = ["-year"]
    fields = ["year", "notice", "is_published", "published_at"]
    actions = ["publish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScheduleYear]:
        days = (
            CalendarDay.objects.filter(date__year=OuterRef("year"), source=DaySource.STATE_COUNCIL)
            .order_by()
            .values("source")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(state_council_days=Coalesce(Subquery(days, output_field=IntegerField()), 0))
        )

    @admin.display(description=_("国务院安排例外日数"), ordering="state_council_days")
    def day_count(self, obj: ScheduleYear) -> int:
        return obj.state_council_days  # type: ignore[attr-defined]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ScheduleYear | None = None
    ) -> list[str]:
        # Publishing is an action (it makes results final), never a checkbox.
        readonly = ["is_published", "published_at"]
        return [*readonly, "year"] if obj is not None else readonly

    def save_model(self, request: HttpRequest, obj: ScheduleYear, form: Any, change: bool) -> None:
        _adopt(obj, services.schedule_year_set(year=obj.year, notice=obj.notice))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("发布该年度安排"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ScheduleYear]) -> None:
        for year in queryset.values_list("year", flat=True):
            try:
                services.schedule_year_publish(year=year)
            except DomainError as exc:
                self.message_user(request, f"{year}：{exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{year} 年度节假日安排已发布，相关时限不再标记为“暂定”。",
                    messages.SUCCESS,
                )
