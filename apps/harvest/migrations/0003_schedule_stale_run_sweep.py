"""Schedule the safety net that fails runs whose worker died (``apps.harvest.tasks.sweep_stale_runs``)."""
from django.db import migrations

NAME = "harvest-sweep-stale-runs"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={"task": "apps.harvest.tasks.sweep_stale_runs", "interval": every, "description": "Fail harvest runs whose worker stopped sending heartbeats."},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("harvest", "0002_harvestrun_attempts_source_max_removal_share_and_more"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
