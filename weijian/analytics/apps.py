from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "weijian.analytics"
    verbose_name = "汇总表"

    def ready(self) -> None:
        from weijian.data import aggregate

        from . import hierarchy, services

        aggregate.register_source(services.lookup)
        services.connect()
        hierarchy.connect()
