from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Enrollment"

    def ready(self) -> None:
        # Registered here, before any URLconf loads, so every app's URLs can use <token:...>.
        from django.urls import register_converter

        from enrollment.converters import TokenConverter

        register_converter(TokenConverter, "token")
