"""Admin pages for the org hierarchy (as a tree), org groups, departments and leaders."""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Department, Leader, OrgGroup, OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ("name", "code", "level", "inst_type", "grade", "ownership", "beds", "active")
    list_filter = ("level", "inst_type", "grade", "ownership", "active")
    search_fields = ("code", "name", "short_name")


@admin.register(OrgGroup)
class OrgGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    autocomplete_fields = ("members",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "aliases", "order")
    search_fields = ("name",)


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "order")
    search_fields = ("name", "title")
