"""Two commits reindexing the same objects at once both succeed (PostgreSQL, real threads)."""

import threading
import time

import pytest
from django.db import connection, transaction

from apps.catalog import actions
from apps.core.testing import SYSTEM
from apps.search.indexer import reindex
from apps.search.models import SearchEntry


@pytest.mark.django_db(transaction=True)
def test_concurrent_reindexing_of_the_same_objects_does_not_collide():
    domain = actions.create_domain(SYSTEM, slug="ops", name="Ops")
    product = actions.create_product(SYSTEM, domain=domain, slug="stock", name="Stock")
    reindex("product", ids=[product.pk])
    errors, first_holds_lock = [], threading.Event()

    def first():
        try:
            with transaction.atomic():
                reindex("product", ids=[product.pk])
                first_holds_lock.set()
                time.sleep(0.5)  # the second writer arrives while this one is uncommitted
        except Exception as exc:
            errors.append(exc)
        finally:
            first_holds_lock.set()
            connection.close()

    def second():
        first_holds_lock.wait(5)
        try:
            reindex("product", ids=[product.pk])
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert SearchEntry.objects.filter(kind="product", object_id=product.pk).count() == 1
