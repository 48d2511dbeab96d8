"""Admin pages for the catalogue: data elements and indicators (expressions checked by Indicator.clean)."""

from django.contrib import admin

from .models import DataElement, Indicator


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "value_type", "aggregation")
    list_filter = ("aggregation", "value_type")
    search_fields = ("code", "name", "aliases", "description")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "category",
        "numerator",
        "denominator",
        "factor",
        "unit",
        "direction",
        "is_key",
    )
    list_filter = ("category", "direction", "is_key")
    search_fields = ("code", "name", "aliases", "definition")
