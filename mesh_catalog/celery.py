"""The Celery application: tasks are discovered in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
# Celery's Django fix-up runs Django's system checks when a worker (or beat) imports the task
# modules. The checks import every URLconf — the GraphQL schema, the REST API, the MCP server,
# every view — ~0.8 s of CPU and ~1,100 modules per worker start that no task uses; they run
# where the code is deployed (`migrate`, `check`), and `manage.py harvest` skips them too.
# An empty CELERY_SKIP_CHECKS in the environment turns them back on.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("mesh_catalog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
