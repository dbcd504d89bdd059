"""Per-request batching loaders for a synchronous graphene schema.

graphene runs resolvers one after another here (no event loop, no promises), so a loader
cannot wait for its siblings' keys. Instead, every resolver that returns a list of objects
registers them as a *sibling group* (``track``); when a field resolver then asks a loader
for one object's value, the loader loads that value for every sibling at once, in one
query, and caches the results for the rest of the request. Result: one query per
(relation, nesting level), whatever the number of parents — the DataLoader guarantee.

One loader class per (model, key); instances live on the request (``loader(info, Cls)``).
"""

from collections import defaultdict
from collections.abc import Iterable


class SiblingGroups:
    """Which objects were returned together, so a loader can batch over all of them."""

    def __init__(self):
        self._group_of: dict[int, list] = {}

    def track(self, objects: Iterable) -> list:
        objects = list(objects)
        for obj in objects:
            self._group_of.setdefault(id(obj), objects)
        return objects

    def siblings(self, obj) -> list:
        return self._group_of.get(id(obj)) or [obj]


class Loader:
    """Loads a value per key in batches; subclasses write ``batch_load(keys) -> {key: value}``.

    ``load_for(parent)`` uses ``key_of(parent)`` as the key and batches over the parent's
    siblings; ``load_many(keys)`` loads explicit keys. Missing keys get ``default()``.
    """

    many = False  # True: each key maps to a list of rows

    def __init__(self, context):
        self.context = context
        self.cache: dict = {}

    # --- to override -------------------------------------------------------------------
    def key_of(self, parent):
        return parent.pk

    def batch_load(self, keys: list) -> dict:
        raise NotImplementedError

    def default(self):
        return [] if self.many else None

    # --- API ---------------------------------------------------------------------------
    def load_many(self, keys) -> list:
        keys = list(keys)
        missing = list(dict.fromkeys(k for k in keys if k is not None and k not in self.cache))
        if missing:
            found = self.batch_load(missing)
            batch = []
            for key in missing:
                value = found.get(key, self.default())
                self.cache[key] = value
                if self.many:
                    batch.extend(value)
                elif value is not None:
                    batch.append(value)
            # Everything one batch returned is one sibling group: the next level batches over it.
            track(self.context, batch)
        return [self.cache.get(k, self.default()) if k is not None else self.default() for k in keys]

    def load(self, key):
        return self.load_many([key])[0]

    def load_for(self, parent):
        key = self.key_of(parent)
        if key is not None and key not in self.cache:
            keys = [self.key_of(s) for s in sibling_groups(self.context).siblings(parent)]
            self.load_many([k for k in keys if k is not None] + [key])
        return self.load(key)

    def prime(self, key, value) -> None:
        self.cache.setdefault(key, value)


def group_rows(rows, key) -> dict:
    """{key(row): [rows]} keeping the rows' order (for ``many`` loaders)."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def sibling_groups(context) -> SiblingGroups:
    groups = getattr(context, "_mesh_sibling_groups", None)
    if groups is None:
        groups = SiblingGroups()
        context._mesh_sibling_groups = groups
    return groups


def track(context, objects: Iterable) -> list:
    """Register a list of objects resolved together so that loaders batch over them."""
    return sibling_groups(context).track(objects)


def loader(info_or_context, cls: type[Loader]) -> Loader:
    """The request's instance of loader ``cls`` (created on first use)."""
    context = getattr(info_or_context, "context", info_or_context)
    registry = getattr(context, "_mesh_loaders", None)
    if registry is None:
        registry = {}
        context._mesh_loaders = registry
    if cls not in registry:
        registry[cls] = cls(context)
    return registry[cls]
