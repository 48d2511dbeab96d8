from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "weijian.assessment"
    verbose_name = "考核"
