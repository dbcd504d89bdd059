"""Turning the catalog queries' rows into records (no database access here)."""

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

KINDS = {
    "r": DatasetKind.TABLE,
    "p": DatasetKind.PARTITIONED_TABLE,
    "v": DatasetKind.VIEW,
    "m": DatasetKind.MATERIALIZED_VIEW,
    "f": DatasetKind.FOREIGN_TABLE,
}
CONSTRAINT_KINDS = {"p": "primary_key", "u": "unique", "f": "foreign_key"}
PERSISTENCE = {"u": "unlogged", "t": "temporary"}


class RecordBuilder:
    """Builds every record of one database from the rows of ``queries``."""

    def __init__(self, target, facts: dict):
        self.target = target
        self.facts = facts
        self.relations = {row[0]: row for row in facts["relations"]}
        # Every relation by name (a re-harvest reads the rows of changed relations only).
        self.by_name = {(row[1], row[2]): row[0] for row in facts.get("names", facts["relations"])}
        self.columns: dict[int, list] = {}
        for row in facts["columns"]:
            self.columns.setdefault(row[0], []).append(row)
        self.partitions = {(s, n): (rs, rn) for s, n, rs, rn in facts["partitions"]}

    def attname(self, relid: int, attnum: int) -> str:
        """The name of a relation's column by number ("" when its rows were not read: a
        partition or an unharvested schema). A scan of the relation's few columns, not a map
        of all 101,750: keys are mostly the first columns, and only keys are looked up."""
        for row in self.columns.get(relid, ()):
            if row[2] == attnum:
                return row[1]
        return ""

    def ref(self, schema: str, name: str) -> DatasetRef:
        return DatasetRef(self.target.namespace, f"{self.target.dbname}.{schema}.{name}")

    def records(self):
        constraints: dict[int, list] = {}
        for row in self.facts["constraints"]:
            constraints.setdefault(row[0], []).append(row)
        for oid, row in self.relations.items():
            yield self._dataset(row, self.columns.get(oid, []), constraints.get(oid, []))
        yield from self._view_lineage()

    def _dataset(self, row, columns, constraints) -> DatasetRecord:
        (
            oid,
            schema,
            name,
            relkind,
            owner,
            comment,
            rows,
            size,
            partitions,
            partkey,
            definition,
            analyzed,
            selectable,
            persistence,
            server,
        ) = row
        pk_columns = {self.attname(oid, n) for r in constraints if r[2] == "p" for n in r[3]}
        properties = {"schema": schema, "selectable": bool(selectable)}
        for key, value in (
            ("partitions", partitions),
            ("partition_key", partkey),
            ("definition", definition),
            ("persistence", PERSISTENCE.get(persistence)),
            ("foreign_server", server),
            ("last_analyzed_at", analyzed.isoformat() if analyzed else None),
        ):
            if value is not None:
                properties[key] = value
        return DatasetRecord(
            ref=self.ref(schema, name),
            platform="postgres",
            kind=KINDS[relkind],
            description=comment or "",
            owner=owner or "",
            row_estimate=rows,
            size_bytes=size,
            columns=tuple(
                ColumnRecord(
                    name=c[1],
                    ordinal=c[2],
                    data_type=c[3],
                    nullable=not c[4],
                    default=c[5] or "",
                    description=c[7] or "",
                    is_primary_key=c[1] in pk_columns,
                    is_generated=bool(c[6]),
                )
                for c in columns
            ),
            constraints=tuple(self._constraint(r) for r in constraints),
            properties={"postgres": properties},
        )

    def _constraint(self, row) -> ConstraintRecord:
        relid, name, contype, keys, ref_schema, ref_name, ref_relid, ref_keys, definition = row
        referenced = self.ref(ref_schema, ref_name) if contype == "f" and ref_name else None
        # A foreign key into a partition or an unharvested schema has no column rows here.
        ref_cols = tuple(self.attname(ref_relid, n) for n in ref_keys or ())
        return ConstraintRecord(
            name=name,
            kind=CONSTRAINT_KINDS[contype],
            columns=tuple(self.attname(relid, n) for n in keys or ()),
            referenced=referenced,
            referenced_columns=ref_cols if all(ref_cols) else (),
            definition=definition or "",
        )

    def _root(self, schema: str, name: str) -> tuple[str, str]:
        return self.partitions.get((schema, name), (schema, name))

    def _columns_of(self, schema: str, name: str):
        oid = self.by_name.get(self._root(schema, name))
        return [c[1] for c in self.columns.get(oid, [])] if oid else None

    def _view_lineage(self):
        # sqlglot is imported here, not at start-up (every process imports the harvesters)
        from apps.harvest.harvesters.sql.view_lineage import UnparseableView, analyse

        dependencies: dict[int, set] = {}
        for view_oid, schema, name in self.facts["dependencies"]:
            dependencies.setdefault(view_oid, set()).add((schema, name))
        for oid, row in self.relations.items():
            definition = row[10]
            if definition is None:
                continue
            view = self.ref(row[1], row[2])
            try:
                found = analyse(definition, self._columns_of)
            except UnparseableView as exc:
                yield HarvestWarning(
                    code="view_sql_unparsed",
                    message=f"The view's SQL could not be parsed ({exc}); table-level lineage comes from the database's dependency records, without column lineage.",
                    subject=view.name,
                )
                for schema, name in sorted(dependencies.get(oid, ())):
                    yield LineageRecord(
                        upstream=self.ref(schema, name), downstream=view, evidence=LineageEvidence.CATALOG_DEPENDENCY
                    )
                continue
            if found.column_error:
                yield HarvestWarning(
                    code="column_lineage_failed",
                    message=f"Column lineage of this view could not be derived ({found.column_error}).",
                    subject=view.name,
                )
            for schema, name in sorted({self._root(s, n) for s, n in found.tables}):
                if (schema, name) != (row[1], row[2]):
                    yield LineageRecord(
                        upstream=self.ref(schema, name), downstream=view, evidence=LineageEvidence.VIEW_SQL
                    )
            for out, schema, name, column, transformation in found.columns:
                schema, name = self._root(schema, name)
                yield ColumnLineageRecord(
                    upstream=self.ref(schema, name),
                    upstream_column=column,
                    downstream=view,
                    downstream_column=out,
                    evidence=LineageEvidence.VIEW_SQL,
                    transformation=transformation,
                )
