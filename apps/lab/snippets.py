"""Connection snippets for an output port, filled from its endpoint and datasets.

Never a secret: credentials come from the reader's own environment (``PGUSER`` /
``PGPASSWORD``, ``~/.pgpass``, an AWS profile). Any user or password written into the
port's endpoint is dropped before a snippet is built.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

from apps.catalog.models import PortProtocol


@dataclass(frozen=True)
class Snippet:
    """One copyable block: a label, the language (for highlighting) and the text."""

    key: str
    label: str
    language: str
    text: str


def postgres_target(port, first_table=None) -> dict:
    """host, port and database of a PostgreSQL port, from endpoint_details then endpoint."""
    details = port.endpoint_details or {}
    parsed = urlparse(port.endpoint) if port.endpoint else None
    host = details.get("host") or (parsed.hostname if parsed else None) or "localhost"
    pg_port = str(details.get("port") or (parsed.port if parsed and parsed.port else None) or 5432)
    database = (
        details.get("database")
        or details.get("dbname")
        or ((parsed.path or "").strip("/").split("/")[0] if parsed else "")
    )
    if not database and first_table is not None:
        database = first_table.database
    return {"host": host, "port": pg_port, "database": database or "postgres"}


def postgres_snippets(port, example_sql: str, first_table=None) -> list[Snippet]:
    t = postgres_target(port, first_table)
    h, p, d = t["host"], t["port"], t["database"]
    one_line = " ".join(example_sql.split())
    sql_literal = one_line.replace('"', '\\"')
    return [
        Snippet("psql", "psql", "shell", f'psql "host={h} port={p} dbname={d} user=$PGUSER" \\\n  -c "{sql_literal}"'),
        Snippet(
            "psycopg",
            "Python · psycopg",
            "python",
            "import psycopg  # pip install 'psycopg[binary]'\n\n"
            "# Credentials come from PGUSER / PGPASSWORD or ~/.pgpass, never from code.\n"
            f'with psycopg.connect(host="{h}", port={p}, dbname="{d}") as conn:\n'
            f'    rows = conn.execute("""{example_sql}""").fetchall()\n',
        ),
        Snippet(
            "pandas",
            "Python · pandas + SQLAlchemy",
            "python",
            "import pandas as pd  # pip install pandas sqlalchemy 'psycopg[binary]'\n"
            "from sqlalchemy import create_engine\n\n"
            "# The password comes from PGPASSWORD or ~/.pgpass.\n"
            f'engine = create_engine("postgresql+psycopg://{h}:{p}/{d}")\n'
            f'df = pd.read_sql("""{example_sql}""", engine)\n',
        ),
        Snippet(
            "jdbc",
            "JDBC URL",
            "text",
            f"jdbc:postgresql://{h}:{p}/{d}\n# user / password: your own, set in your tool's connection properties",
        ),
    ]


def glue_target(port, datasets) -> dict:
    details = port.endpoint_details or {}
    region = details.get("region", "")
    database = details.get("database", "")
    for d in datasets:
        if not region and d.namespace.startswith("arn:aws:glue:"):
            region = d.namespace.split(":")[3]
        if not database and "/" in d.name:
            database = d.name.split("/")[-2]
    return {
        "region": region or "eu-west-1",
        "database": database or "default",
        "workgroup": details.get("workgroup", "primary"),
    }


def glue_snippets(port, datasets, example_sql: str) -> list[Snippet]:
    t = glue_target(port, datasets)
    return [
        Snippet("athena", "Athena SQL", "sql", example_sql),
        Snippet(
            "boto3",
            "Python · boto3",
            "python",
            "import boto3  # credentials from your AWS profile or role\n\n"
            f'athena = boto3.client("athena", region_name="{t["region"]}")\n'
            "run = athena.start_query_execution(\n"
            f'    QueryString="""{example_sql}""",\n'
            f'    QueryExecutionContext={{"Database": "{t["database"]}"}},\n'
            f'    WorkGroup="{t["workgroup"]}",\n'
            ")\n"
            'print(run["QueryExecutionId"])\n',
        ),
        Snippet(
            "awswrangler",
            "Python · awswrangler",
            "python",
            "import awswrangler as wr  # pip install awswrangler\n\n"
            f'df = wr.athena.read_sql_query("""{example_sql}""", database="{t["database"]}", workgroup="{t["workgroup"]}")\n',
        ),
    ]


def port_snippets(port, datasets, example_sql: str, first_table=None, engine=None) -> list[Snippet]:
    """Snippets of the port's engine when it has one (``apps.lab.engines``), else by protocol."""
    if engine is not None:
        return engine.snippets(port, datasets, example_sql, first_table)
    if port.protocol == PortProtocol.POSTGRES:
        return postgres_snippets(port, example_sql, first_table)
    if port.protocol == PortProtocol.GLUE:
        return glue_snippets(port, datasets, example_sql)
    return []


def duckdb_snippets(path: str, example_sql: str) -> list[Snippet]:
    """CLI, Python and JDBC for a DuckDB file, always opened read-only."""
    one_line = " ".join(example_sql.split()).replace('"', '\\"')
    return [
        Snippet("duckdb-cli", "DuckDB CLI", "shell", f'duckdb -readonly "{path}" \\\n  -c "{one_line}"'),
        Snippet(
            "duckdb-python",
            "Python · duckdb",
            "python",
            "import duckdb  # pip install duckdb\n\n"
            f'con = duckdb.connect("{path}", read_only=True)\n'
            f'df = con.sql("""{example_sql}""").df()  # .fetchall() without pandas\n',
        ),
        Snippet(
            "jdbc",
            "JDBC URL",
            "text",
            f"jdbc:duckdb:{path}?duckdb.read_only=true\n# driver: org.duckdb:duckdb_jdbc (Maven Central)",
        ),
    ]


def mysql_snippets(host: str, port: int, database: str, example_sql: str) -> list[Snippet]:
    """mysql CLI, PyMySQL, pandas + SQLAlchemy and JDBC for a MySQL/MariaDB port; credentials from the reader's own config."""
    one_line = " ".join(example_sql.split()).replace('"', '\\"')
    db_flag = f" -D {database}" if database else ""
    db_path = f"/{database}" if database else ""
    return [
        Snippet(
            "mysql-cli",
            "mysql CLI",
            "shell",
            f"# The password comes from ~/.my.cnf or a login path (mysql_config_editor), never the command line.\n"
            f'mysql -h {host} -P {port} -u "$MYSQL_USER"{db_flag} \\\n  -e "{one_line}"',
        ),
        Snippet(
            "pymysql",
            "Python · PyMySQL",
            "python",
            "import os\n\nimport pymysql  # pip install PyMySQL\n\n"
            "# Credentials come from the environment, never from code.\n"
            f'conn = pymysql.connect(host="{host}", port={port}, user=os.environ["MYSQL_USER"],\n'
            f'                       password=os.environ["MYSQL_PASSWORD"]{f", database={database!r}" if database else ""})\n'
            "with conn.cursor() as cur:\n"
            f'    cur.execute("""{example_sql}""")\n'
            "    rows = cur.fetchall()\n",
        ),
        Snippet(
            "sqlalchemy",
            "Python · pandas + SQLAlchemy",
            "python",
            "import os\n\nimport pandas as pd  # pip install pandas sqlalchemy PyMySQL\n"
            "from sqlalchemy import URL, create_engine\n\n"
            'url = URL.create("mysql+pymysql", username=os.environ["MYSQL_USER"], password=os.environ["MYSQL_PASSWORD"],\n'
            f'                 host="{host}", port={port}{f", database={database!r}" if database else ""})\n'
            f'df = pd.read_sql("""{example_sql}""", create_engine(url))\n',
        ),
        Snippet(
            "jdbc",
            "JDBC URL",
            "text",
            f"jdbc:mysql://{host}:{port}{db_path}\n"
            f"# MariaDB Connector/J: jdbc:mariadb://{host}:{port}{db_path}\n"
            "# user / password: your own, set in your tool's connection properties",
        ),
    ]
