"""Paging, throttling and AccessDenied with botocore's Stubber (moto ignores MaxResults and never pages)."""

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from apps.harvest.harvesters.base import TransientSourceError
from apps.harvest.harvesters.glue import GlueHarvester
from apps.harvest.records import DatasetRecord, HarvestWarning
from tests.harvest.glue.conftest import ACCOUNT, REGION


def table(name: str, database: str) -> dict:
    return {
        "Name": name,
        "DatabaseName": database,
        "TableType": "EXTERNAL_TABLE",
        "CreateTime": datetime(2026, 1, 1, tzinfo=UTC),
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}], "Location": f"s3://b/{name}/"},
    }


@pytest.fixture
def stubbed():
    """A harvester whose Glue client answers from a Stubber, with no sleeping between retries."""
    client = boto3.client("glue", region_name=REGION)
    stubber = Stubber(client)
    harvester = GlueHarvester("lake", GlueHarvester.validate_config({"region": REGION, "catalog_id": ACCOUNT}), {})
    harvester.client = lambda service="glue": client
    harvester.backoff_base = 0
    harvester.max_threads = 1  # the Stubber answers calls in the order it was given them
    with stubber:
        yield harvester, stubber
    stubber.assert_no_pending_responses()


def test_tables_are_read_page_by_page_following_next_token(stubbed):
    harvester, stubber = stubbed
    stubber.add_response("get_databases", {"DatabaseList": [{"Name": "big"}]}, {"CatalogId": ACCOUNT})
    stubber.add_response(
        "get_tables",
        {"TableList": [table(f"t{i:03}", "big") for i in range(100)], "NextToken": "page-2"},
        {"DatabaseName": "big", "CatalogId": ACCOUNT},
    )
    stubber.add_response(
        "get_tables",
        {"TableList": [table(f"t{i:03}", "big") for i in range(100, 150)], "NextToken": "page-3"},
        {"DatabaseName": "big", "CatalogId": ACCOUNT, "NextToken": "page-2"},
    )
    stubber.add_response(
        "get_tables",
        {"TableList": [table("t150", "big")]},
        {"DatabaseName": "big", "CatalogId": ACCOUNT, "NextToken": "page-3"},
    )
    names = [r.ref.name for r in harvester.extract() if isinstance(r, DatasetRecord)]
    assert len(names) == 151 and names[0] == "table/big/t000" and names[-1] == "table/big/t150"
    assert harvester.queries_sent == 4  # one GetDatabases, three GetTables pages


def test_throttled_page_is_retried_from_its_own_token(stubbed):
    harvester, stubber = stubbed
    stubber.add_response("get_databases", {"DatabaseList": [{"Name": "db"}]}, {"CatalogId": ACCOUNT})
    stubber.add_response(
        "get_tables", {"TableList": [table("a", "db")], "NextToken": "p2"}, {"DatabaseName": "db", "CatalogId": ACCOUNT}
    )
    stubber.add_client_error("get_tables", "ThrottlingException", "Rate exceeded", 400)
    stubber.add_response(
        "get_tables", {"TableList": [table("b", "db")]}, {"DatabaseName": "db", "CatalogId": ACCOUNT, "NextToken": "p2"}
    )
    names = [r.ref.name for r in harvester.extract() if isinstance(r, DatasetRecord)]
    assert names == ["table/db/a", "table/db/b"]  # no page read twice, none lost


def test_persistent_throttling_fails_as_a_transient_error(stubbed):
    harvester, stubber = stubbed
    for _ in range(harvester.max_attempts):
        stubber.add_client_error("get_databases", "ThrottlingException", "Rate exceeded", 400)
    with pytest.raises(TransientSourceError, match="still throttled"):
        list(harvester.extract())


def test_access_denied_on_one_database_is_a_warning_and_the_rest_is_harvested(stubbed):
    harvester, stubber = stubbed
    stubber.add_response(
        "get_databases",
        {"DatabaseList": [{"Name": "open"}, {"Name": "secret"}, {"Name": "also_open"}]},
        {"CatalogId": ACCOUNT},
    )
    stubber.add_response(
        "get_tables", {"TableList": [table("a", "open")]}, {"DatabaseName": "open", "CatalogId": ACCOUNT}
    )
    stubber.add_client_error(
        "get_tables", "AccessDeniedException", "User is not authorized to perform: glue:GetTables", 400
    )
    stubber.add_response(
        "get_tables", {"TableList": [table("b", "also_open")]}, {"DatabaseName": "also_open", "CatalogId": ACCOUNT}
    )
    records = list(harvester.extract())
    assert [r.ref.name for r in records if isinstance(r, DatasetRecord)] == ["table/open/a", "table/also_open/b"]
    [warning] = [r for r in records if isinstance(r, HarvestWarning)]
    assert (warning.code, warning.subject, warning.partial) == ("glue_database_denied", "secret", True)


def test_partition_count_reads_no_further_than_the_limit(stubbed):
    harvester, stubber = stubbed
    harvester.config["partition_count_limit"] = 2
    partitioned = {**table("events", "db"), "PartitionKeys": [{"Name": "dt", "Type": "string"}]}
    stubber.add_response("get_databases", {"DatabaseList": [{"Name": "db"}]}, {"CatalogId": ACCOUNT})
    stubber.add_response("get_tables", {"TableList": [partitioned]}, {"DatabaseName": "db", "CatalogId": ACCOUNT})
    # One page of two partitions with a NextToken: the harvester must not ask for the next page.
    stubber.add_response(
        "get_partitions",
        {"Partitions": [{"Values": ["1"]}, {"Values": ["2"]}], "NextToken": "more-millions"},
        {
            "DatabaseName": "db",
            "TableName": "events",
            "ExcludeColumnSchema": True,
            "CatalogId": ACCOUNT,
            "MaxResults": 2,
        },
    )
    [record] = [r for r in harvester.extract() if isinstance(r, DatasetRecord)]
    assert record.properties["glue"]["partition_count"] == 2 and record.properties["glue"]["partition_count_capped"]


def test_connection_check_names_a_missing_permission(stubbed):
    harvester, stubber = stubbed
    stubber.add_client_error(
        "get_databases", "AccessDeniedException", "not authorized to perform: glue:GetDatabases", 400
    )
    check = harvester.test_connection()
    assert not check.ok and check.stage == "permission" and "AccessDeniedException" in check.message


def test_connection_check_names_refused_credentials(stubbed):
    harvester, stubber = stubbed
    stubber.add_client_error(
        "get_databases", "UnrecognizedClientException", "The security token included in the request is invalid.", 400
    )
    check = harvester.test_connection()
    assert not check.ok and check.stage == "auth" and "credentials were refused" in check.message
