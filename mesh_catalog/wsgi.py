"""WSGI entry point (gunicorn mesh_catalog.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
application = get_wsgi_application()
