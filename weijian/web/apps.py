from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "weijian.web"
    verbose_name = "页面"
