"""A throw-away source database on the real PostgreSQL server, and a role that harvests it.

Each test gets its own database (``mesh_src_<random>``) and login role, created through the
``postgres`` maintenance database with autocommit and dropped afterwards.
"""

import os
import secrets
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg

SERVER_URL = os.environ.get("MESH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_catalog")

SHOP_SQL = """
create extension file_fdw;
create server files foreign data wrapper file_fdw;
create schema sales;
create schema marketing;
create schema secret;
comment on schema sales is 'Orders and customers';

create table sales.customers (
    id bigint primary key,
    email text not null unique,
    name text,
    created_at timestamptz not null default now()
);
comment on table sales.customers is 'People who ordered at least once';
comment on column sales.customers.email is 'Login e-mail address';

create table sales.orders (
    id bigint generated always as identity,
    customer_id bigint not null references sales.customers (id),
    placed_at date not null,
    amount numeric(10,2) not null,
    amount_with_tax numeric(12,2) generated always as (amount * 1.2) stored,
    primary key (id, placed_at)
) partition by range (placed_at);
comment on table sales.orders is 'Every order, partitioned by year';
create table sales.orders_2025 partition of sales.orders for values from ('2025-01-01') to ('2026-01-01');
create table sales.orders_2026 partition of sales.orders for values from ('2026-01-01') to ('2027-01-01');

insert into sales.customers (id, email, name) values (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', 'Bob');
insert into sales.orders (customer_id, placed_at, amount) values (1, '2025-03-01', 120), (1, '2026-01-05', 30), (2, '2026-02-01', 80);

create view sales.customer_totals as
    select c.id as customer_id, c.email, sum(o.amount) as total, count(*) as order_count
    from sales.customers c join sales.orders o on o.customer_id = c.id
    group by c.id, c.email;
comment on view sales.customer_totals is 'Revenue per customer';
create view sales.big_customers as
    select t.customer_id, upper(t.email) as email_upper from sales.customer_totals t where t.total > 100;

create materialized view marketing.daily_revenue as
    select o.placed_at as day, sum(o.amount) as revenue from sales.orders o group by o.placed_at;
create view marketing.orders_2026 as select p.id, p.amount from sales.orders_2026 p;
-- text_pattern_ops operator: valid PostgreSQL that sqlglot cannot parse
create view marketing.late_alphabet as select c.email from sales.customers c where c.email ~>=~ 'm';
create unlogged table marketing.campaigns (id serial primary key, customer_id bigint references sales.customers (id), channel varchar(20) default 'email');
create foreign table marketing.leads_file (email text, source text) server files options (filename '/dev/null', format 'csv');

create table secret.salaries (employee text, amount integer);
create view sales.order_payroll_mix as select count(*) as n from secret.salaries;
analyze;
"""


def _admin():
    return psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True)


@contextmanager
def source_database(sql: str = SHOP_SQL, *, readable=("sales", "marketing")):
    """Yields (dsn of a harvesting role, database name, role name); drops both afterwards."""
    suffix = secrets.token_hex(4)
    dbname, role = f"mesh_src_{suffix}", f"mesh_harvester_{suffix}"
    with _admin() as admin:
        admin.execute(f'create database "{dbname}"')
        admin.execute(f'create role "{role}" login')
    try:
        owner_url = SERVER_URL.rsplit("/", 1)[0] + f"/{dbname}"
        with psycopg.connect(owner_url, autocommit=True) as conn:
            if sql:
                conn.execute(sql)
            for schema in readable:
                conn.execute(f'grant usage on schema "{schema}" to "{role}"')
                conn.execute(f'grant select on all tables in schema "{schema}" to "{role}"')
        host = urlsplit(SERVER_URL)
        yield f"postgresql://{role}@{host.hostname}:{host.port or 5432}/{dbname}", dbname, role
    finally:
        with _admin() as admin:
            admin.execute(f'drop database if exists "{dbname}" with (force)')
            admin.execute(f'drop role if exists "{role}"')


def execute(dsn_or_db: str, sql: str) -> None:
    """Run ``sql`` in the source database as the superuser (to change the source between harvests)."""
    dbname = dsn_or_db.rsplit("/", 1)[-1]
    with psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + f"/{dbname}", autocommit=True) as conn:
        conn.execute(sql)
