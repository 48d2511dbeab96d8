from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "weijian.plans"
    verbose_name = "工作计划"
