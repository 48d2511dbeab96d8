from django.apps import AppConfig


class DataConfig(AppConfig):
    name = "weijian.data"
    verbose_name = "数据"
