"""Demo data of the events app: the consumer follows Orders and the sales domain.

Idempotent, and it never reverts a person's choice: a person who already follows
something or set a preference is left alone.
"""

from django.contrib.auth import get_user_model

from apps.catalog.models import DataProduct, Domain
from apps.events import actions
from apps.events.models import Follow, Preference


def load_demo_data(stdout) -> None:
    casey = get_user_model().objects.filter(username="casey").first()
    if casey is None or Follow.objects.filter(user=casey).exists() or Preference.objects.filter(user=casey).exists():
        return
    followed = []
    for target in (DataProduct.objects.filter(slug="orders").first(), Domain.objects.filter(slug="sales").first()):
        if target is not None:
            actions.follow(casey, target)
            followed.append(str(target))
    actions.set_preference(casey, "mesh.access.approved", in_app=True, email="instant")
    stdout.write(f"Events demo: casey follows {', '.join(followed) or 'nothing'}; hears of access decisions by e-mail")
