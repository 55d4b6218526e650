from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying the console (``manage.py seed_demo``): it fills every app, so it
    belongs to none of them. No models, no screens."""

    name = "demo"
