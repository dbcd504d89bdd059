"""The functions lab SQL may call, per dialect: an allow-list, not a deny-list.

A deny-list loses to the next administrative function a release adds (the attack walk ran
``pg_create_physical_replication_slot``, ``pg_stat_reset()`` and
``current_setting('data_directory')`` past one). Here only ordinary scalar, aggregate,
window, date/time, string, array and JSON functions are named; nothing that reads the
server's files or settings, signals other sessions, writes, sleeps, or runs SQL passed as a
string. A function not listed is refused with a message, which is cheap to fix by adding
it here once someone needs it; a missed dangerous function is not.

Names are lower-case and unqualified (``pg_catalog.lower`` is checked as ``lower``).
Type names that take a modifier (``numeric(12, 2)``) are listed too, since to the
tokenizer they look like calls.
"""

# --- shared by every dialect (ANSI and near-universal) -----------------------------------

_TYPES = """
numeric decimal varchar char character bpchar bit varbit float float4 float8 real double int int2 int4 int8 integer
smallint bigint timestamp timestamptz time timetz interval date text boolean bool json jsonb uuid
"""

_COMMON = """
abs ceil ceiling floor round trunc truncate mod power pow sqrt cbrt exp ln log log10 log2 sign pi degrees radians
sin cos tan asin acos atan atan2 cot sinh cosh tanh div gcd lcm factorial width_bucket random
greatest least coalesce nullif cast try_cast extract
lower upper length char_length character_length octet_length bit_length substring substr trim ltrim rtrim btrim
position strpos instr replace concat concat_ws left right lpad rpad reverse repeat split_part initcap translate
ascii chr md5 sha1 sha256 sha512 starts_with ends_with regexp_replace regexp_like regexp_count regexp_substr
regexp_instr
count sum avg min max stddev stddev_pop stddev_samp variance var_pop var_samp bool_and bool_or every bit_and
bit_or bit_xor string_agg array_agg percentile_cont percentile_disc mode median corr covar_pop covar_samp
regr_slope regr_intercept regr_count regr_r2 regr_avgx regr_avgy regr_sxx regr_syy regr_sxy any_value
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value grouping
now current_date current_time current_timestamp localtime localtimestamp date_trunc date_part age
make_date make_time make_timestamp make_interval to_char to_date to_timestamp to_number
unnest generate_series cardinality array_length array_position array_remove array_append array_prepend array_cat
array_to_string string_to_array
"""

# pg_sleep holds nothing but its own backend, which statement_timeout bounds like any slow query.
_POSTGRES = """
pg_sleep make_timestamptz justify_days justify_hours justify_interval isfinite date_bin timezone clock_timestamp
statement_timestamp transaction_timestamp to_hex encode decode quote_ident quote_literal quote_nullable format
regexp_match regexp_matches regexp_split_to_array regexp_split_to_table overlay num_nulls num_nonnulls
array_positions array_upper array_lower array_dims array_ndims array_replace array_fill trim_array
gen_random_uuid isempty lower_inc upper_inc lower_inf upper_inf range_merge int4range int8range numrange
tsrange tstzrange daterange
json_agg jsonb_agg json_object_agg jsonb_object_agg json_build_object jsonb_build_object json_build_array
jsonb_build_array json_object jsonb_object to_json to_jsonb row_to_json array_to_json json_array_length
jsonb_array_length json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text
json_each jsonb_each json_each_text jsonb_each_text json_object_keys jsonb_object_keys json_typeof jsonb_typeof
json_extract_path jsonb_extract_path json_extract_path_text jsonb_extract_path_text json_strip_nulls
jsonb_strip_nulls jsonb_set jsonb_insert jsonb_pretty jsonb_path_query jsonb_path_query_array
jsonb_path_query_first jsonb_path_exists jsonb_path_match json_populate_record jsonb_populate_record
json_to_record jsonb_to_record json_to_recordset jsonb_to_recordset
to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline
setweight strip numnode querytree
"""

_DUCKDB = """
strftime strptime epoch epoch_ms date_diff datediff date_add date_sub dayname monthname year month day hour
minute second week quarter dayofweek dayofyear last_day
regexp_extract regexp_extract_all regexp_split_to_array string_split str_split contains prefix suffix
list_value list_extract list_element list_concat list_contains list_has list_distinct list_sort list_reverse
list_aggregate list_transform list_filter list_slice len array_contains array_distinct array_sort flatten
struct_pack struct_extract map map_keys map_values element_at
json_extract json_extract_string json_extract_path json_extract_path_text json_array_length json_keys json_type
json_valid to_json json_object json_array json_group_array json_group_object
quantile quantile_cont quantile_disc approx_count_distinct approx_quantile arg_min arg_max argmin argmax
min_by max_by histogram list first last product fsum kurtosis skewness entropy
ifnull nvl if iff hash round_even range
"""

_MYSQL = """
ifnull if isnull date_format str_to_date datediff date_add date_sub adddate subdate timestampdiff timestampadd
curdate curtime sysdate unix_timestamp from_unixtime year month day dayofmonth dayofweek dayofyear weekday
week quarter hour minute second last_day monthname dayname
locate mid field find_in_set elt space ucase lcase hex unhex conv format group_concat
json_extract json_unquote json_length json_keys json_contains json_object json_array json_arrayagg
json_objectagg json_type json_valid
"""


def _words(*blocks: str) -> frozenset[str]:
    return frozenset(word for block in blocks for word in block.split())


ALLOWED_FUNCTIONS: dict[str, frozenset[str]] = {
    "postgres": _words(_TYPES, _COMMON, _POSTGRES),
    "duckdb": _words(_TYPES, _COMMON, _DUCKDB),
    "mysql": _words(_TYPES, _COMMON, _MYSQL),
}


def allowed_functions(dialect: str) -> frozenset[str]:
    """The allow-list for ``dialect``; an unknown dialect gets only the shared list."""
    return ALLOWED_FUNCTIONS.get(dialect, _words(_TYPES, _COMMON))
