"""Throw-away databases on the real MariaDB/MySQL server, and a least-privilege user that harvests them.

Each test gets its own prefix ``mesh_<random>``: databases ``<prefix>_sales``, ``<prefix>_ops``
and ``<prefix>_secret`` (which the harvester may not read), and a user granted only
SELECT and SHOW VIEW on the first two. Everything is dropped afterwards.
"""

import os
import secrets
from contextlib import contextmanager

import pymysql

HOST = os.environ.get("MESH_TEST_MYSQL_HOST", "127.0.0.1")
PORT = int(os.environ.get("MESH_TEST_MYSQL_PORT", "3306"))
ADMIN_USER = os.environ.get("MESH_TEST_MYSQL_USER", "root")
ADMIN_PASSWORD = os.environ.get("MESH_TEST_MYSQL_PASSWORD", "")

SHOP_SQL = """
create table {p}_ops.products (
    sku varchar(32) not null primary key comment 'Stock keeping unit',
    title varchar(200) not null,
    price decimal(10,2) not null default 0.00,
    weight_g int unsigned,
    search_title varchar(200) as (lower(title)) virtual,
    index idx_title (title(20))
) engine=InnoDB comment='What we sell';

create table {p}_sales.customers (
    id bigint not null auto_increment primary key,
    email varchar(200) not null comment 'Login e-mail address',
    name varchar(100) character set latin1 collate latin1_swedish_ci,
    tier enum('free','pro','enterprise') not null default 'free',
    flags set('newsletter','beta'),
    profile json,
    created_at timestamp not null default current_timestamp,
    unique key uq_customers_email (email)
) engine=InnoDB comment='People who ordered at least once';

create table {p}_sales.orders (
    id bigint not null,
    placed_at date not null,
    customer_id bigint not null,
    amount decimal(10,2) not null,
    amount_with_tax decimal(12,2) as (amount * 1.2) stored,
    primary key (id, placed_at),
    key idx_orders_customer (customer_id)
) engine=InnoDB comment='Every order, partitioned by year'
partition by range (year(placed_at)) (
    partition p2025 values less than (2026),
    partition p2026 values less than (2027),
    partition pmax values less than maxvalue
);

create table {p}_sales.order_lines (
    order_id bigint not null,
    line_no smallint not null,
    product_sku varchar(32) not null,
    qty int not null default 1,
    primary key (order_id, line_no),
    constraint fk_lines_product foreign key (product_sku) references {p}_ops.products (sku)
) engine=InnoDB;

create table {p}_sales.shipments (
    id int not null auto_increment primary key,
    order_id bigint not null,
    line_no smallint not null,
    shipped_on date,
    constraint fk_shipments_line foreign key (order_id, line_no) references {p}_sales.order_lines (order_id, line_no)
) engine=InnoDB;

insert into {p}_ops.products (sku, title, price, weight_g) values ('A-1', 'Anvil', 99.00, 5000), ('B-2', 'Bell', 12.50, 300);
insert into {p}_sales.customers (email, name, tier) values ('ada@example.com', 'Ada', 'pro'), ('bob@example.com', 'Bob', 'free');
insert into {p}_sales.orders (id, placed_at, customer_id, amount) values (1, '2025-03-01', 1, 120), (2, '2026-01-05', 1, 30), (3, '2026-02-01', 2, 80);
insert into {p}_sales.order_lines values (1, 1, 'A-1', 1), (1, 2, 'B-2', 2), (2, 1, 'B-2', 1);

create view {p}_sales.customer_totals as
    select c.id as customer_id, c.email, sum(o.amount) as total, count(*) as order_count
    from {p}_sales.customers c join {p}_sales.orders o on o.customer_id = c.id
    group by c.id, c.email;
create view {p}_sales.big_customers as
    select t.customer_id, upper(t.email) as email_upper from {p}_sales.customer_totals t where t.total > 100;
create view {p}_ops.line_revenue as
    select l.order_id, p.sku, l.qty * p.price as revenue
    from {p}_sales.order_lines l join {p}_ops.products p on p.sku = l.product_sku;

create table {p}_secret.salaries (employee varchar(100), amount int);
analyze table {p}_sales.customers, {p}_sales.orders, {p}_ops.products;
"""


def admin():
    return pymysql.connect(host=HOST, port=PORT, user=ADMIN_USER, password=ADMIN_PASSWORD, autocommit=True)


def execute(sql: str, **names) -> None:
    with admin() as conn, conn.cursor() as cur:
        for statement in (s.strip() for s in sql.format(**names).split(";")):
            if statement:
                cur.execute(statement)
                cur.fetchall()


@contextmanager
def mysql_source(sql: str = SHOP_SQL, *, grants: tuple[str, ...] = ("sales", "ops"), privileges="SELECT, SHOW VIEW"):
    """Yields (dsn of the harvesting user without password, password, prefix, user); drops everything afterwards."""
    prefix = f"mesh_{secrets.token_hex(4)}"
    user, password = f"{prefix}_h", secrets.token_urlsafe(12)
    try:
        with admin() as conn, conn.cursor() as cur:
            for db in ("sales", "ops", "secret"):
                cur.execute(f"create database `{prefix}_{db}`")
            cur.execute(f"create user '{user}'@'%%' identified by %s", (password,))
            for db in grants:
                cur.execute(f"grant {privileges} on `{prefix}_{db}`.* to '{user}'@'%'")
        if sql:
            execute(sql, p=prefix)
        yield f"mysql://{user}@{HOST}:{PORT}", password, prefix, user
    finally:
        with admin() as conn, conn.cursor() as cur:
            for db in ("sales", "ops", "secret"):
                cur.execute(f"drop database if exists `{prefix}_{db}`")
            cur.execute(f"drop user if exists '{user}'@'%'")
