"""What a ``manage.py harvest`` process imports before it harvests (issue 17, start-up).

Every process sets Django up — every app's models and ``ready()`` registrations — before it
runs one line of its command; a scheduled harvest of an unchanged dbt project takes ~1 s,
so libraries that only the web pages, the lab or SQL parsing use must not be loaded there.
A fresh interpreter is the only honest place to look: the test process has imported
everything already.
"""

import json
import os
import subprocess
import sys

from django.conf import settings

# Imported by the code that uses them (the GraphQL view and schema, SQL lineage and the lab's
# checks, descriptor and contract validation, MySQL connections, Avro, Markdown, secrets),
# never by set-up: each was on the start-up path through an installed app or a ready().
LAZY = (
    "graphene_django",
    "graphene",
    "graphql",
    "graphql_relay",
    "django.test",
    "jinja2",
    "sqlglot",
    "jsonschema",
    "pymysql",
    "fastavro",
    "markdown_it",
    "nh3",
    "cryptography",
)

SET_UP = """
import json, sys
import django
django.setup()
import apps.harvest.management.commands.harvest
"""

PROBE = (
    SET_UP
    + """
from django.core.management import get_commands
from apps.harvest.harvesters.base import harvester_registry
print(json.dumps({
    "loaded": sorted(name for name in sys.argv[1:] if name in sys.modules),
    "kinds": sorted(harvester_registry),
    "graphql_schema_command": get_commands().get("graphql_schema"),
}))
"""
)

# The moved imports, each run cold after set-up: what the code returns, and what it loaded.
USE = (
    SET_UP
    + """
from apps.catalog.descriptors.parsing import parse, schema_problems
from apps.contracts.odcs import parse as parse_contract, schema_problems as contract_problems
from apps.core.markdown import render_markdown
from apps.harvest.harvesters.duckdb import postgres_query_of_view
from apps.harvest.harvesters.sql.lineage import table_sources
from apps.lab.sql_checks import parse_select, quote_ident
print(json.dumps({
    "tables": table_sources("select a from s.t join s.u on true", "postgres"),
    "view": postgres_query_of_view("create view v as select a from t", "main"),
    "checked": parse_select("select 1").key,
    "quoted": quote_ident("select"),
    "markdown": render_markdown("# Title"),
    "descriptor_problems": len(schema_problems(parse("nonsense: 1"))),
    "contract_problems": len(contract_problems(parse_contract("kind: DataContract"))),
    "loaded": sorted(name for name in ("sqlglot", "jsonschema", "markdown_it", "nh3") if name in sys.modules),
}))
"""
)


def _run(code: str, tmp_path, **extra_env: str) -> dict:
    # not inherited: this process set CELERY_SKIP_CHECKS when it imported the Celery app
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_SKIP_CHECKS")} | {
        "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings",
        "MESH_DATA_DIR": str(tmp_path),
        **extra_env,
    }
    done = subprocess.run(
        [sys.executable, "-c", code, *LAZY], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_setting_up_the_harvest_command_loads_none_of_the_libraries_only_other_paths_use(tmp_path):
    found = _run(PROBE, tmp_path)
    assert found["loaded"] == []
    # The registry is still filled from HarvestConfig.ready(), every kind there ...
    assert {"dbt", "postgres", "mysql", "duckdb", "glue", "asyncapi"} <= set(found["kinds"])
    # ... and graphene-django's command is still found, through its stand-in AppConfig.
    assert found["graphql_schema_command"] == "mesh_catalog.graphql"


def test_the_code_that_uses_a_lazy_library_imports_it_when_called(tmp_path):
    found = _run(USE, tmp_path)
    assert found["tables"] == ["s.t", "s.u"]
    assert found["view"] == "SELECT a FROM main.t"
    assert found["checked"] == "select"
    assert found["quoted"] == '"select"'
    assert found["markdown"] == "<h3>Title</h3>\n"
    assert found["descriptor_problems"] > 0 and found["contract_problems"] > 0
    assert found["loaded"] == ["jsonschema", "markdown_it", "nh3", "sqlglot"]


# A worker's start: set-up, then the task modules, imported as the worker does (Celery's
# Django fix-up runs the system checks at this point unless CELERY_SKIP_CHECKS is set).
WORKER = """
import json, sys
import django
django.setup()
from mesh_catalog.celery import app
app.loader.import_default_modules()
print(json.dumps({
    "loaded": sorted(name for name in ["mesh_catalog.urls", *sys.argv[1:]] if name in sys.modules),
    "tasks": sorted(name for name in app.tasks if not name.startswith("celery.")),
}))
"""


def test_a_worker_registers_every_task_without_running_the_system_checks_that_import_the_urlconf(tmp_path):
    found = _run(WORKER, tmp_path)
    assert found["loaded"] == []
    assert {"apps.harvest.tasks.run_harvest", "search.reindex_changed", "costs.import_configured"} <= set(
        found["tasks"]
    )
    # The same tasks as a worker that runs the checks (an empty CELERY_SKIP_CHECKS turns them on).
    checked = _run(WORKER, tmp_path, CELERY_SKIP_CHECKS="")
    assert "mesh_catalog.urls" in checked["loaded"]
    assert checked["tasks"] == found["tasks"]
