"""The search index: one row per searchable thing, its facet values, its vocabulary.

Rows are derived data, rebuilt at will (``manage.py reindex``); only ``SearchPopularity``
is original (views and query runs counted over time) and survives rebuilds.
The full-text structures are backend-specific and created by migration 0002: on
PostgreSQL a generated, weighted ``tsvector`` column with a GIN index and trigram
indexes; on SQLite an FTS5 table ``search_fts`` whose rowid is the entry id.
"""

from django.db import models


class SearchEntry(models.Model):
    """One searchable object: its display fields, its words by weight, its facet values.

    The ``text_*`` columns hold normalised words (see ``apps.search.text``) padded with
    spaces, so ranking can test "is this a whole word / a word prefix" portably.
    ``keys`` holds the exact names the object answers to, as ``|orders|sales orders|``.
    """

    kind = models.CharField(max_length=12)
    object_id = models.BigIntegerField()
    parent_id = models.BigIntegerField(
        null=True, blank=True, help_text="The owning object (a column's dataset), reindexed together."
    )
    name = models.CharField(max_length=500)
    qualified_name = models.CharField(max_length=1000, blank=True)
    url_arg = models.CharField(
        max_length=300, blank=True, help_text="Slug or id the URL is built from when results are served."
    )
    summary = models.TextField(blank=True)
    context = models.TextField(blank=True, help_text="Secondary labels (tags, columns, owners) shown as highlights.")
    keys = models.TextField(blank=True)
    text_a = models.TextField(blank=True)
    text_b = models.TextField(blank=True)
    text_c = models.TextField(blank=True)
    text_d = models.TextField(blank=True)
    domain = models.CharField(max_length=100, blank=True)
    platform = models.CharField(max_length=30, blank=True)
    classification = models.CharField(max_length=12, blank=True)
    lifecycle = models.CharField(max_length=12, blank=True)
    boost = models.FloatField(default=0, help_text="Static rank boost: kind and lifecycle.")
    popularity = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="uniq_search_entry")]
        # No index on (kind, parent_id): only columns have a parent and they have no entries
        # (migration 0008 dropped it; it cost every inserted entry a btree insertion).
        indexes = [
            models.Index(fields=["domain"], name="search_entry_domain_idx"),
            models.Index(fields=["platform"], name="search_entry_platform_idx"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.object_id} {self.name}"


class SearchFacet(models.Model):
    """A value of a multi-valued facet (tag, owner) of an entry."""

    # No database constraint: facets are derived rows deleted with their entry by the indexer,
    # and a deferred constraint trigger would forbid TRUNCATE in a full rebuild.
    entry = models.ForeignKey(
        SearchEntry, on_delete=models.DO_NOTHING, related_name="facet_values", db_constraint=False
    )
    facet = models.CharField(max_length=12)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [
            models.Index(fields=["facet", "value", "entry"], name="search_facet_value_idx"),
            models.Index(fields=["entry"], name="search_facet_entry_idx"),
        ]

    def __str__(self):
        return f"{self.facet}={self.value} (entry {self.entry_id})"


class SearchWord(models.Model):
    """Every word in the index (PostgreSQL), for typo correction by trigram distance.

    SQLite reads the same vocabulary from FTS5's own ``fts5vocab`` table instead.
    """

    word = models.CharField(max_length=200, primary_key=True)
    ndoc = models.IntegerField(default=0)

    def __str__(self):
        return self.word


class SearchColumnName(models.Model):
    """A distinct column name of the catalog and its search words: how column hits are found.

    Columns are 95% of a large catalog, so they have no ``SearchEntry`` rows (writing and
    keeping a million of them dominated every first harvest and reindex). Column hits are
    read from ``catalog_column`` itself at query time; this small table (names repeat: a
    million columns have a few thousand distinct names) maps search words to names through a
    prefix index, and ``catalog_column``'s name index (migration 0007) maps names to columns.
    Rows are only ever added: a name no column bears any more matches nothing.
    """

    name = models.CharField(max_length=300, primary_key=True)
    words = models.CharField(max_length=600)

    def __str__(self):
        return self.name


class SearchPopularity(models.Model):
    """How often an object was viewed or queried; a capped tie-breaking rank boost."""

    kind = models.CharField(max_length=12)
    object_id = models.BigIntegerField()
    score = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="uniq_search_popularity")]

    def __str__(self):
        return f"{self.kind}:{self.object_id} ({self.score:g})"
