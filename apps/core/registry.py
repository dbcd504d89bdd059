"""A named registry that refuses duplicates (harvester kinds, search indexes, ...)."""

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Registry(dict[K, V]):
    """Maps a key to what registered under it; registering a key twice is an error."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def register(self, key: K, value: V) -> V:
        if key in self:
            raise ValueError(f"{self.name}: {key!r} is already registered")
        self[key] = value
        return value

    def get_or_error(self, key: K) -> V:
        try:
            return self[key]
        except KeyError:
            known = ", ".join(sorted(map(str, self))) or "none"
            raise KeyError(f"{self.name}: unknown {key!r} (known: {known})") from None
