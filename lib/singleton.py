"""A settings row that exists once (Admin pages edit it)."""

from typing import Any, Self

from django.db import models


class SingletonModel(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> Self:
        obj, _ = cls._default_manager.get_or_create(id=1)
        return obj
