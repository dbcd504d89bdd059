"""Demo data of the privacy app: classify the demo mesh's columns by name (no warehouse needed).

Idempotent: detection writes only suggestions and never touches a confirmed or rejected
row, so rerunning the loader keeps every decision a person made.
"""


def load_demo_data(stdout) -> None:
    from apps.privacy.actions import detect_pii
    from apps.privacy.models import ClassificationConflict

    run = detect_pii(trigger="demo")
    conflicts = ClassificationConflict.objects.filter(resolved_at__isnull=True).count()
    stdout.write(
        f"Privacy: {run.columns_checked} columns checked, {run.suggestions} suggestions written, "
        f"{conflicts} classification conflicts open (review at /privacy/conflicts/)."
    )
