"""The embedded default (SQLite, no Redis): events are routed in-process after commit."""

import pytest

from tests.test_embedded import _run

pytestmark = pytest.mark.slow


def test_embedded_mode_routes_events_and_serves_the_inbox(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.db import connection; assert connection.vendor == 'sqlite';"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0); call_command('load_demo'); call_command('load_demo');"
        "from django.contrib.auth import get_user_model; U = get_user_model();"
        "from apps.catalog import actions; from apps.catalog.models import DataProduct;"
        "from apps.events.models import Follow, Notification;"
        "casey = U.objects.get(username='casey'); assert Follow.objects.filter(user=casey).count() == 2;"
        "p = DataProduct.objects.get(slug='orders');"
        "actions.update_product(U.objects.get(username='olivia'), p, summary='Embedded events');"
        "n = Notification.objects.filter(user=casey, event__type='mesh.product.updated').get();"
        "assert n.reason.startswith('you consume orders:'), n.reason;"
        "from django.test import Client; c = Client(); assert c.login(username='casey', password='mesh-demo-consumer');"
        "r = c.get('/inbox/'); assert r.status_code == 200;"
        "assert b'you consume orders:' in r.content;"
        "assert c.get('/api/v1/events/?type=mesh.product.updated').json()['events'][-1]['data']['changes']['summary']['after'] == 'Embedded events';"
        "print('OK')"
    )
    result = _run(["-c", script], {}, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OK" in result.stdout
