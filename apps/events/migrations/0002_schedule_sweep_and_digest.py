"""Schedule the events sweep (missed routing, due retries, lapsed leases) and the daily digest."""
from django.db import migrations

SWEEP, DIGEST = "events-sweep", "events-daily-digest"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=SWEEP,
        defaults={"task": "apps.events.tasks.sweep_events", "interval": every, "description": "Route missed events; re-queue due webhook deliveries and lapsed leases."},
    )
    morning, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC")
    PeriodicTask.objects.get_or_create(
        name=DIGEST,
        defaults={"task": "apps.events.tasks.send_daily_digests", "crontab": morning, "description": "E-mail the daily digest of notifications."},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[SWEEP, DIGEST]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
