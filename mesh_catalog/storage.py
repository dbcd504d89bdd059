"""Static files storage for production: WhiteNoise's compressed manifest, without source maps.

Django's manifest storage rewrites ``sourceMappingURL`` comments to hashed names and fails
``collectstatic`` when the map is not shipped. The vendored front-end builds (GraphiQL,
React) reference maps we do not ship — they are only for debugging those libraries — so
those comments are left as they are (a browser's devtools then simply finds no map).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    out = []
    for extension, rules in patterns:
        kept = tuple(r for r in rules if "sourceMappingURL" not in (r if isinstance(r, str) else r[0]))
        if kept:
            out.append((extension, kept))
    return tuple(out)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; ``sourceMappingURL`` references are not resolved."""

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
