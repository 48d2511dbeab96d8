from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "weijian.demo"
    verbose_name = "演示数据"
