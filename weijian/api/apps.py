from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "weijian.api"
    verbose_name = "接口"
