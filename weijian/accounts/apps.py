from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "weijian.accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login audit receivers)
