"""Base model tiers: capabilities that generic code can ask a model about."""

from django.db import models


class TimestampedModel(models.Model):
    """Rows that remember when they were created and last updated."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ChangeLoggedModel(TimestampedModel):
    """A model whose every change is recorded in the change log by ``actions.py``.

    Subclasses list the fields that make up their recorded state in ``history_fields``;
    ``history_snapshot()`` turns the row into the JSON stored in ``ObjectChange``.
    ``history_parent()`` names the object whose history page shows this change (a port's
    changes appear on its product's history).
    """

    history_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def history_snapshot(self) -> dict:
        data = {}
        for name in self.history_fields:
            field = self._meta.get_field(name)
            if field.many_to_many:
                data[name] = sorted(str(v) for v in getattr(self, name).all()) if self.pk else []
            elif field.is_relation:
                data[name] = getattr(self, field.attname)
            else:
                value = getattr(self, name)
                data[name] = value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
        return data

    def history_parent(self) -> "ChangeLoggedModel | None":
        """The object whose history and listeners also hear of this one's changes (a port's product)."""
        return None
