"""Turning the information_schema rows into records (no database access here)."""

from datetime import UTC

from apps.harvest.records import (
    ColumnLineageRecord,
    ColumnRecord,
    ConstraintRecord,
    DatasetKind,
    DatasetRecord,
    DatasetRef,
    HarvestWarning,
    LineageEvidence,
    LineageRecord,
)

TABLE_TYPES = {"BASE TABLE", "VIEW", "SYSTEM VERSIONED"}
DIALECT = "mysql"


def _group(rows, width: int = 2) -> dict[tuple, list]:
    out: dict[tuple, list] = {}
    for row in rows:
        out.setdefault(tuple(row[:width]), []).append(row)
    return out


def _default(value, extra: str) -> str:
    """MariaDB quotes literal defaults and writes ``NULL`` for "no default but NULL"; MySQL does not quote."""
    if value is None or value == "NULL":
        return ""
    return str(value)


class RecordBuilder:
    """Builds every record of one server's chosen schemas from the rows of ``queries``."""

    def __init__(self, target, facts: dict):
        self.target = target
        self.facts = facts
        self.tables = {(r[0], r[1]): r for r in facts["tables"] if r[2] in TABLE_TYPES}
        self.columns = _group(facts["columns"])
        self.keys = _group(facts["keys"])
        self.indexes = _group(facts["indexes"])
        self.views = {(r[0], r[1]): r for r in facts["views"]}
        self.partitions = {(r[0], r[1]): r for r in facts["partitions"]}
        self.checks = _group(facts["checks"])
        self.lower = {f"{s}.{t}".lower(): (s, t) for s, t in self.tables}

    def ref(self, schema: str, name: str) -> DatasetRef:
        return DatasetRef(self.target.namespace, f"{schema}.{name}")

    def records(self):
        for row in self.tables.values():
            yield self._dataset(row)
        yield from self._view_lineage()

    # --- datasets ---------------------------------------------------------------------

    def _dataset(self, row) -> DatasetRecord:
        schema, name, table_type, engine, rows, data, index, created, updated, comment, collation, options = row
        key = (schema, name)
        view = self.views.get(key)
        partition = self.partitions.get(key)
        constraints = self._constraints(key)
        checks = self.checks.get(key, ())
        json_columns = {name for _, _, name, clause in checks if clause.replace(" ", "") == f"json_valid(`{name}`)"}
        pk = {c for con in constraints if con.kind == "primary_key" for c in con.columns}
        props = {"schema": schema}
        if view is None:
            props.update({"engine": engine, "collation": collation})
            if options:
                props["create_options"] = options
            if created:
                props["created_at"] = created.replace(tzinfo=UTC).isoformat()
            if table_type == "SYSTEM VERSIONED":
                props["system_versioned"] = True
        else:
            props.update({"definition": view[2] or "", "updatable": view[3] == "YES", "security": view[4]})
        if partition is not None:
            _, _, count, method, expression, sub_method, sub_count = partition
            props.update({"partitions": count, "partition_method": method, "partition_expression": expression})
            if sub_method:
                props.update({"subpartition_method": sub_method, "subpartitions": sub_count})
        indexes = self._indexes(key)
        if indexes:
            props["indexes"] = indexes
        columns, details = [], {}
        for c in self.columns.get(key, ()):
            (
                _,
                _,
                col,
                ordinal,
                default,
                nullable,
                col_type,
                charset,
                col_collation,
                col_key,
                extra,
                col_comment,
                gen,
            ) = c
            generated = "GENERATED" in (extra or "").upper()
            detail = {
                k: v
                for k, v in (
                    ("charset", charset),
                    ("collation", col_collation),
                    ("extra", extra),
                    ("generation_expression", gen if generated else None),
                )
                if v
            }
            if detail:
                details[col] = detail
            columns.append(
                ColumnRecord(
                    name=col,
                    ordinal=int(ordinal),
                    data_type="json" if col in json_columns else col_type,
                    nullable=nullable == "YES",
                    default="" if generated or view is not None else _default(default, extra),
                    description=col_comment or "",
                    is_primary_key=col in pk,
                    is_generated=generated,
                )
            )
        if details:
            props["columns"] = details
        if view is not None:
            kind = DatasetKind.VIEW
        elif partition is not None:
            kind = DatasetKind.PARTITIONED_TABLE
        else:
            kind = DatasetKind.TABLE
        return DatasetRecord(
            ref=self.ref(schema, name),
            platform="mysql",
            kind=kind,
            description="" if view is not None else comment or "",
            row_estimate=int(rows) if rows is not None and view is None else None,
            size_bytes=int((data or 0) + (index or 0)) if view is None and data is not None else None,
            last_modified_at=updated.replace(tzinfo=UTC) if updated else None,
            columns=tuple(columns),
            constraints=constraints
            + tuple(
                ConstraintRecord(name, "check", (), definition=f"CHECK ({clause})")
                for _, _, name, clause in checks
                if name not in json_columns
            ),
            properties={"mysql": props},
        )

    def _constraints(self, key) -> tuple[ConstraintRecord, ...]:
        by_name: dict[str, list] = {}
        for row in self.keys.get(key, ()):
            by_name.setdefault(row[2], []).append(row)
        out = []
        for name, rows in by_name.items():
            ref_schema, ref_table = rows[0][4], rows[0][5]
            kind = "primary_key" if name == "PRIMARY" else "foreign_key" if ref_table else "unique"
            columns = tuple(r[3] for r in rows)
            referenced, ref_columns, definition = None, (), ""
            if kind == "foreign_key":
                referenced = self.ref(ref_schema, ref_table)
                ref_columns = tuple(r[6] for r in rows)
                definition = (
                    f"FOREIGN KEY ({', '.join(columns)}) REFERENCES {ref_schema}.{ref_table} ({', '.join(ref_columns)})"
                )
            elif kind == "primary_key":
                definition = f"PRIMARY KEY ({', '.join(columns)})"
            else:
                definition = f"UNIQUE ({', '.join(columns)})"
            out.append(ConstraintRecord(name, kind, columns, referenced, ref_columns, definition))
        return tuple(sorted(out, key=lambda c: c.name))

    def _indexes(self, key) -> list[dict]:
        found: dict[str, dict] = {}
        for _, _, name, non_unique, column, index_type, sub_part in self.indexes.get(key, ()):
            entry = found.setdefault(
                name, {"name": name, "unique": not int(non_unique), "type": index_type, "columns": []}
            )
            entry["columns"].append(f"{column}({sub_part})" if sub_part else column)
        return sorted(found.values(), key=lambda i: i["name"])

    # --- view lineage -----------------------------------------------------------------

    def _schema_for(self, tables: list[str]) -> dict:
        schema: dict = {}
        for dotted in tables:
            real = self.lower.get(dotted)
            if real is None:
                continue
            cols = {c[2]: "text" for c in self.columns.get(real, ())}
            if cols:
                schema.setdefault(real[0], {})[real[1]] = cols
        return schema

    def _view_lineage(self):
        # sqlglot is imported here, not at start-up (every process imports the harvesters)
        from apps.harvest.harvesters.sql.lineage import SqlLineageError, parse_many, table_sources

        tasks, read = [], {}
        for key, view in self.views.items():
            if key not in self.tables:
                continue
            subject = f"{key[0]}.{key[1]}"
            sql = view[2] or ""
            if not sql.strip():
                yield HarvestWarning(
                    code="view_sql_hidden",
                    message="The view's SQL is not visible to the harvesting user (grant SHOW VIEW); no lineage.",
                    subject=subject,
                )
                continue
            try:
                sources = [t if "." in t else f"{key[0]}.{t}".lower() for t in table_sources(sql, DIALECT)]
            except SqlLineageError as exc:
                yield HarvestWarning(
                    code="view_sql_unparsed", message=f"No lineage from the view's SQL: {exc}", subject=subject
                )
                continue
            read[subject] = (key, sources)
            tasks.append((subject, sql, self._schema_for(sources), DIALECT, "", key[0].lower()))
        results = parse_many(tasks) if tasks else {}
        for subject, (key, sources) in read.items():
            view = self.ref(*key)
            for dotted in sorted(set(sources)):
                real = self.lower.get(dotted)
                if real is None:
                    yield HarvestWarning(
                        code="view_reads_unknown_table",
                        message=f"The view reads {dotted}, which is not harvested (another schema, or no privilege).",
                        subject=subject,
                    )
                elif real != key:
                    yield LineageRecord(upstream=self.ref(*real), downstream=view, evidence=LineageEvidence.VIEW_SQL)
            result = results.get(subject)
            if isinstance(result, str):
                yield HarvestWarning(
                    code="column_lineage_failed",
                    message=f"Column lineage of this view could not be derived ({result}).",
                    subject=subject,
                )
                continue
            out_names = {c[2].lower(): c[2] for c in self.columns.get(key, ())}
            for column, edges in (result or {}).items():
                for table, source_column, transformation in edges:
                    real = self.lower.get(table)
                    if real is None:
                        continue
                    names = {c[2].lower(): c[2] for c in self.columns.get(real, ())}
                    yield ColumnLineageRecord(
                        upstream=self.ref(*real),
                        upstream_column=names.get(source_column.lower(), source_column),
                        downstream=view,
                        downstream_column=out_names.get(column.lower(), column),
                        evidence=LineageEvidence.VIEW_SQL,
                        transformation=transformation,
                    )
