from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "licenses"
    verbose_name = "Open Weights documents"
    default_auto_field = "django.db.models.BigAutoField"
