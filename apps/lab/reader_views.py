"""The "Lab reader" panel of a PostgreSQL source's page: who the lab runs as, and what it may do.

Admin-only, like the source pages. It connects with the reader the lab would use (the
source's ``reader_dsn``, or its harvest DSN as fallback) and shows the role's attributes,
its risky memberships, the port tables it owns, and SELECT / write privileges per table
the source's output ports expose — with the refusal the runner would give.
"""

import psycopg
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from apps.catalog.models import PortDirection
from apps.core.actors import is_admin
from apps.harvest.models import Source
from apps.lab.reader_privileges import CREATE_READER_HINT, inspect_reader
from apps.lab.readers import _reader_from_source, _source_target
from apps.lab.sql_checks import port_table

MAX_TABLES_SHOWN = 200


def _exposed_tables(source) -> list:
    names = (
        source.datasets.filter(removed_at__isnull=True, platform="postgres", ports__direction=PortDirection.OUTPUT)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:MAX_TABLES_SHOWN]
    )
    return [port_table(name) for name in names]


@require_GET
def source_reader(request, name):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_admin(request.user):
        raise PermissionDenied("Sources are managed by the platform team (admins).")
    source = get_object_or_404(Source, name=name, kind="postgres")
    target = _source_target(source)
    reader = _reader_from_source(source, target[1] if target else "")
    context = {"source": source, "hint": CREATE_READER_HINT, "privileges": None, "error": ""}
    context["dedicated"] = bool((source.config or {}).get("reader_dsn"))
    if reader is None:
        context["error"] = "No reader is configured."
        return render(request, "lab/source_reader.html", context)
    tables = _exposed_tables(source)
    try:
        with psycopg.connect(**reader.connect_kwargs(), autocommit=True, connect_timeout=5) as conn:
            context["privileges"] = inspect_reader(conn, tables, with_tables=True)
    except psycopg.Error as exc:
        context["error"] = (
            f"Could not connect as the reader: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        )
    return render(request, "lab/source_reader.html", context)
