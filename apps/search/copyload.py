"""Writing search entries with COPY, their words split in Python once per distinct string.

``INSERT … SELECT mesh_search_words(…)`` calls the regex SQL function seven times per row:
at 100,000 columns that was the largest single cost of a first harvest. Most of those
strings repeat (column names, data types, a dataset's name for each of its columns), so the
rows are read with their raw text, split by ``apps.search.text.search_words`` — the twin the
SQL function is pinned against — through a cache, and streamed back with COPY. The stored
text is the same as the SQL path's, so ranking does not change.
"""

from django.db import connection

from apps.search.text import search_words

CHUNK = 20_000
# The word columns of ENTRY_COLUMNS as select_sql(raw_words=True) returns them.
KEYS, FIRST_TEXT, LAST_TEXT = 8, 9, 12


def copy_entries(cursor, select: str, params: list, columns: tuple[str, ...]) -> int:
    """Insert the rows of ``select`` (``select_sql(index, raw_words=True)`` plus a filter)
    into ``search_searchentry``; returns how many. Runs inside the caller's transaction."""
    words: dict[str, str] = {}

    def split(text) -> str:
        if not text:
            return ""
        found = words.get(text)
        if found is None:
            found = words[text] = search_words(text)
        return found

    raw = connection.connection  # psycopg: a server-side cursor reads in chunks between COPYs
    inserted = 0
    with raw.cursor(name="mesh_search_copy") as reader:
        reader.execute(select, params)
        copy_sql = f"COPY search_searchentry ({', '.join(columns)}) FROM STDIN"
        while rows := reader.fetchmany(CHUNK):
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    row = list(row)
                    row[KEYS] = "|" + "".join(split(k) + "|" for k in row[KEYS])
                    for i in range(FIRST_TEXT, LAST_TEXT + 1):
                        row[i] = f" {split(row[i])} "
                    copy.write_row(row)
            inserted += len(rows)
    return inserted
