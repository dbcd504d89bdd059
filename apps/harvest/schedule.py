"""Keeping Celery beat's periodic task of each source in step with ``Source.schedule``."""

import json

from django_celery_beat.models import CrontabSchedule, PeriodicTask

from apps.harvest.validation import parse_schedule

TASK = "apps.harvest.tasks.run_harvest"


def periodic_task_name(source) -> str:
    # By id, not name: renaming a source keeps its schedule.
    return f"harvest-source-{source.pk}"


def sync_schedule(source) -> PeriodicTask | None:
    """Create, update or delete the source's periodic task; returns it (None when unscheduled)."""
    fields = parse_schedule(source.schedule)
    name = periodic_task_name(source)
    if fields is None:
        PeriodicTask.objects.filter(name=name).delete()
        return None
    crontab, _ = CrontabSchedule.objects.get_or_create(timezone="UTC", **fields)
    task, _ = PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "interval": None,
            "kwargs": json.dumps({"source_id": source.pk, "triggered_by": "schedule"}),
            "enabled": source.enabled,
            "description": f"Scheduled harvest of source '{source.name}'",
        },
    )
    return task


def remove_schedule(source) -> None:
    PeriodicTask.objects.filter(name=periodic_task_name(source)).delete()
