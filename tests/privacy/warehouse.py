"""A realistic PostgreSQL warehouse full of (fake) personal data, with decoys and the truth.

Faker writes the values (en_US, de_DE, fr_FR, es_ES); decoys look like personal data but
are not: ``email_sent`` booleans, order numbers and tracking codes of which some pass
Luhn by chance, EAN barcodes, product and campaign names, e-mail template names, counts
named after phones. ``TRUTH`` says which category each column really holds; the detector's
precision and recall are measured against it (tests and ``bench/privacy_bench.py``).
"""

import os
import random
from urllib.parse import urlparse

import psycopg
from faker import Faker
from psycopg import sql
from stdnum import luhn

READER_PASSWORD = "privacy-reader-pw"
ROWS = 300

# schema.table: [(column, type, truth category or None, generator name)]
TABLES: dict[str, list[tuple[str, str, str | None, str]]] = {
    "crm.customers": [
        ("customer_id", "integer primary key", "customer_id", "seq"),
        ("first_name", "text", "name", "first_name"),
        ("last_name", "text", "name", "last_name"),
        ("email", "text", "email", "email"),
        ("phone", "text", "phone", "phone_us"),
        ("date_of_birth", "date", "date_of_birth", "dob"),
        ("street_address", "text", "address", "street"),
        ("postal_code", "text", "address", "postcode"),
        ("city", "text", None, "city"),
        ("country", "text", None, "country"),
        ("created_at", "timestamptz", None, "timestamp"),
        ("email_sent", "boolean", None, "bool"),
        ("email_opt_in", "boolean", None, "bool"),
        ("loyalty_points", "integer", None, "small_int"),
        ("notes", "text", "free_text", "sentence"),
    ],
    "crm.kunden": [
        ("kunden_id", "integer primary key", "customer_id", "seq"),
        ("vorname", "text", "name", "first_name_de"),
        ("nachname", "text", "name", "last_name_de"),
        ("e_mail", "text", "email", "email_de"),
        ("telefonnummer", "text", "phone", "phone_de"),
        ("geburtsdatum", "date", "date_of_birth", "dob"),
        ("strasse", "text", "address", "street_de"),
        ("plz", "text", "address", "postcode_de"),
        ("bemerkung", "text", "free_text", "sentence_de"),
        ("kundengruppe", "text", None, "segment"),
    ],
    "crm.clients_fr": [
        ("id_client", "integer primary key", "customer_id", "seq"),
        ("prenom", "text", "name", "first_name_fr"),
        ("nom", "text", "name", "last_name_fr"),
        ("courriel", "text", "email", "email_fr"),
        ("telephone", "text", "phone", "phone_fr"),
        ("adresse", "text", "address", "street_fr"),
        ("date_naissance", "date", "date_of_birth", "dob"),
        ("segment", "text", None, "segment"),
    ],
    "crm.clientes": [
        ("id_cliente", "integer primary key", "customer_id", "seq"),
        ("nombre", "text", "name", "first_name_es"),
        ("apellido", "text", "name", "last_name_es"),
        ("correo", "text", "email", "email_es"),
        ("telefono", "text", "phone", "phone_es"),
        ("direccion", "text", "address", "street_es"),
        ("fecha_nacimiento", "date", "date_of_birth", "dob"),
    ],
    "billing.payments": [
        ("payment_id", "integer primary key", None, "seq"),
        ("customer_id", "integer references crm.customers", "customer_id", "fk"),
        ("order_number", "bigint", None, "order_number"),
        ("card_number", "text", "payment_card", "card"),
        ("iban", "text", "iban", "iban"),
        ("amount", "numeric(10,2)", None, "money"),
        ("currency", "text", None, "currency"),
        ("paid_at", "timestamptz", None, "timestamp"),
    ],
    "billing.invoices": [
        ("invoice_no", "text", None, "invoice_no"),
        ("tracking_code", "text", None, "tracking_code"),
        ("bank_reference", "text", None, "bank_ref"),
        ("customer_id", "integer", "customer_id", "fk"),
        ("total", "numeric(12,2)", None, "money"),
        ("issued_on", "date", None, "date_recent"),
    ],
    "web.sessions": [
        ("session_id", "uuid", None, "uuid"),
        ("user_id", "bigint", "user_id", "fk"),
        ("ip_address", "inet", "ip_address", "ipv4"),
        ("client_ip", "text", "ip_address", "ipv6"),
        ("user_agent", "text", None, "user_agent"),
        ("started_at", "timestamptz", None, "timestamp"),
        ("latitude", "double precision", "location", "latitude"),
        ("longitude", "double precision", "location", "longitude"),
        ("page_views", "integer", None, "small_int"),
    ],
    "web.events": [
        ("event_id", "bigint", None, "seq"),
        ("user_id", "bigint", "user_id", "fk"),
        ("event_type", "text", None, "event_type"),
        ("payload", "jsonb", None, "json"),
        ("referrer", "text", None, "url"),
        ("remote_addr", "text", "ip_address", "ipv4"),
    ],
    "hr.employees": [
        ("employee_id", "integer primary key", "user_id", "seq"),
        ("full_name", "text", "name", "name"),
        ("ssn", "text", "national_id", "ssn"),
        ("birth_date", "date", "date_of_birth", "dob"),
        ("hire_date", "date", None, "date_recent"),
        ("salary", "numeric(12,2)", None, "money"),
        ("work_email", "text", "email", "company_email"),
        ("mobile", "text", "phone", "phone_us"),
        ("manager_notes", "text", "free_text", "sentence"),
        ("photo", "bytea", None, "bytes"),
    ],
    "analytics.daily_stats": [
        ("day", "date", None, "date_recent"),
        ("email_sent_count", "integer", None, "small_int"),
        ("emails_opened", "integer", None, "small_int"),
        ("phone_calls", "integer", None, "small_int"),
        ("avg_order_value", "numeric(10,2)", None, "money"),
        ("sessions", "integer", None, "small_int"),
    ],
    "marketing.campaigns": [
        ("campaign_id", "integer primary key", None, "seq"),
        ("name", "text", None, "catch_phrase"),
        ("email_template", "text", None, "template"),
        ("subject_line", "text", None, "catch_phrase"),
        ("sent_at", "timestamptz", None, "timestamp"),
        ("mail_server", "text", None, "hostname"),
        ("contact_email", "text", "email", "company_email"),
    ],
    "catalog.products": [
        ("product_id", "integer primary key", None, "seq"),
        ("product_name", "text", None, "catch_phrase"),
        ("sku", "text", None, "sku"),
        ("description", "text", None, "sentence"),
        ("barcode", "text", None, "ean"),
        ("price", "numeric(10,2)", None, "money"),
    ],
    "support.tickets": [
        ("ticket_id", "integer primary key", None, "seq"),
        ("customer_id", "integer references crm.customers", "customer_id", "fk"),
        ("message", "text", "free_text", "paragraph"),
        ("status", "text", None, "event_type"),
        ("priority", "integer", None, "small_int"),
        ("created_at", "timestamptz", None, "timestamp"),
    ],
    "legacy.import_rows": [
        ("col_a", "text", "email", "email"),
        ("col_b", "text", "iban", "iban"),
        ("col_c", "text", "payment_card", "card"),
        ("col_d", "text", None, "order_number"),
        ("col_e", "text", None, "word"),
        ("col_f", "text", None, "huge"),
    ],
}

TRUTH: dict[tuple[str, str], str | None] = {(t, c[0]): c[2] for t, cols in TABLES.items() for c in cols}


def _luhn_complete(prefix: str) -> str:
    return prefix + luhn.calc_check_digit(prefix)


def generators(rng: random.Random) -> dict:
    fk = {loc: Faker(loc) for loc in ("en_US", "de_DE", "fr_FR", "es_ES")}
    for i, f in enumerate(fk.values()):
        f.seed_instance(1000 + i)
    en, de, fr, es = fk["en_US"], fk["de_DE"], fk["fr_FR"], fk["es_ES"]
    return {
        "first_name": en.first_name,
        "last_name": en.last_name,
        "name": en.name,
        "first_name_de": de.first_name,
        "last_name_de": de.last_name,
        "first_name_fr": fr.first_name,
        "last_name_fr": fr.last_name,
        "first_name_es": es.first_name,
        "last_name_es": es.last_name,
        "email": en.email,
        "email_de": de.email,
        "email_fr": fr.email,
        "email_es": es.email,
        "company_email": en.company_email,
        "phone_us": lambda: (
            f"+1 {rng.choice(['212', '415', '617', '312', '206'])} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
        ),
        "phone_de": lambda: f"+49 30 {rng.randint(1000000, 9999999)}",
        "phone_fr": lambda: (
            f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        ),
        "phone_es": lambda: f"+34 91 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        "dob": lambda: en.date_of_birth(minimum_age=18, maximum_age=90).isoformat(),
        "street": en.street_address,
        "street_de": de.street_address,
        "street_fr": fr.street_address,
        "street_es": es.street_address,
        "postcode": en.postcode,
        "postcode_de": de.postcode,
        "city": en.city,
        "country": en.country,
        "timestamp": lambda: en.date_time_this_decade().isoformat() + "+00:00",
        "date_recent": lambda: en.date_this_decade().isoformat(),
        "bool": lambda: rng.random() < 0.5,
        "small_int": lambda: rng.randint(0, 500),
        "sentence": lambda: en.sentence(nb_words=10),
        "sentence_de": lambda: de.sentence(nb_words=10),
        "paragraph": lambda: en.paragraph(nb_sentences=3),
        "segment": lambda: rng.choice(["gold", "silver", "bronze"]),
        # decoys: 12- and 16-digit numbers, some of which pass Luhn by chance (and some on purpose)
        "order_number": lambda: (
            int(_luhn_complete(str(rng.randint(10**14, 10**15 - 1))))
            if rng.random() < 0.3
            else rng.randint(10**15, 10**16 - 1)
        ),
        "tracking_code": lambda: str(rng.randint(4 * 10**15, 5 * 10**15)),
        "card": lambda: en.credit_card_number(card_type=rng.choice(["visa16", "mastercard", "amex"])),
        "iban": lambda: rng.choice([en, de, fr, es]).iban(),
        "money": lambda: round(rng.uniform(1, 900), 2),
        "currency": lambda: rng.choice(["EUR", "USD", "GBP"]),
        "invoice_no": lambda: f"INV-{rng.randint(100000, 999999)}",
        "bank_ref": lambda: f"REF{rng.randint(10**9, 10**10)}X",
        "uuid": lambda: en.uuid4(),
        "ipv4": en.ipv4,
        "ipv6": en.ipv6,
        "user_agent": en.user_agent,
        "latitude": lambda: float(en.latitude()),
        "longitude": lambda: float(en.longitude()),
        "event_type": lambda: rng.choice(["open", "click", "view", "closed"]),
        "json": lambda: f'{{"k": {rng.randint(1, 9)}}}',
        "url": en.url,
        "ssn": en.ssn,
        "catch_phrase": en.catch_phrase,
        "template": lambda: rng.choice(["welcome_v2", "reset_password", "weekly_digest"]),
        "hostname": en.hostname,
        "sku": lambda: f"SKU-{rng.randint(1000, 9999)}",
        "ean": en.ean13,
        "word": en.word,
        "bytes": lambda: bytes(rng.randrange(256) for _ in range(64)),
        "huge": lambda: "x" * 5000,
    }


def server_url() -> str:
    return os.environ.get("MESH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_catalog")


def names(suffix: str = "") -> tuple[str, str]:
    base = (urlparse(server_url()).path.lstrip("/") or "mesh_catalog").replace("-", "_")
    return f"{base}_privacy_wh{suffix}", f"{base}_privacy_reader"


def conninfo(dbname: str, *, user: str | None = None, password: str | None = None) -> str:
    url = urlparse(server_url())
    return psycopg.conninfo.make_conninfo(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=user or url.username or "postgres",
        password=password if password is not None else (url.password or ""),
        dbname=dbname,
    )


def reader_dsn(dbname: str) -> str:
    url = urlparse(server_url())
    return f"postgresql://{names()[1]}@{url.hostname or '127.0.0.1'}:{url.port or 5432}/{dbname}"


def create(tables: dict = TABLES, rows: int = ROWS, suffix: str = "", seed: int = 7) -> str:
    """Create (or recreate) the warehouse database with a read-only reader role; returns its name."""
    dbname, role = names(suffix)
    rng = random.Random(seed)
    gens = generators(rng)
    with psycopg.connect(conninfo("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if not exists:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(READER_PASSWORD))
            )
    with psycopg.connect(conninfo(dbname), autocommit=True) as conn:
        for table in tables:
            schema = table.split(".")[0]
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        for table, cols in tables.items():
            schema, name = table.split(".")
            ddl = ", ".join(f'"{c}" {t}' for c, t, _, _ in cols)
            conn.execute(f'CREATE TABLE "{schema}"."{name}" ({ddl})')
            values = []
            for i in range(1, rows + 1):
                row = []
                for _c, _t, _truth, gen in cols:
                    row.append(i if gen == "seq" else (rng.randint(1, rows) if gen == "fk" else gens[gen]()))
                values.append(row)
            with conn.cursor() as cur:
                placeholders = ", ".join(["%s"] * len(cols))
                cur.executemany(f'INSERT INTO "{schema}"."{name}" VALUES ({placeholders})', values)
        for schema in {t.split(".")[0] for t in tables}:
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), sql.Identifier(role)))
            conn.execute(
                sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(
                    sql.Identifier(schema), sql.Identifier(role)
                )
            )
        conn.execute("ANALYZE")
    return dbname


def drop(suffix: str = "") -> None:
    dbname, _ = names(suffix)
    with psycopg.connect(conninfo("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def score(predicted: set[tuple[str, str, str]], tables: dict = TABLES) -> dict:
    """Precision and recall of (table, column, category) predictions against ``TRUTH``.

    Subject identifiers and personal-data categories both count; ``email_key`` counts as
    correct only for e-mail columns that are keys (none here, so it is a false positive).
    """
    truth = {(t, c[0], c[2]) for t, cols in tables.items() for c in cols if c[2]}
    tp = len(predicted & truth)
    return {
        "predicted": len(predicted),
        "truth": len(truth),
        "true_positives": tp,
        "precision": tp / len(predicted) if predicted else 1.0,
        "recall": tp / len(truth) if truth else 1.0,
        "false_positives": sorted(predicted - truth),
        "false_negatives": sorted(truth - predicted),
    }
