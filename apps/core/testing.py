"""Shared test helpers: people with roles, and a small mesh built through actions."""

from django.contrib.auth import get_user_model

from apps.catalog import actions
from apps.core.actors import SystemActor

SYSTEM = SystemActor("tests")


def make_user(username: str, *, superuser: bool = False, password: str = "pw-for-tests"):
    User = get_user_model()
    user = User.objects.create_user(username=username, password=password, email=f"{username}@example.com")
    if superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return user


def make_mesh():
    """A domain tree with an owned product, and the people of the permission matrix.

    Returns a namespace with: admin, domain_owner (owns ``sales``), owner (owns product
    ``orders``), other_owner (owns ``leads`` in ``marketing``), consumer; domains sales,
    emea (under sales), marketing; products orders (in emea) and leads.
    """
    from types import SimpleNamespace

    people = SimpleNamespace(
        admin=make_user("admin", superuser=True),
        domain_owner=make_user("dora"),
        owner=make_user("olivia"),
        other_owner=make_user("oscar"),
        consumer=make_user("casey"),
    )
    sales = actions.create_domain(SYSTEM, slug="sales", name="Sales")
    emea = actions.create_domain(SYSTEM, slug="emea", name="Sales EMEA", parent=sales)
    marketing = actions.create_domain(SYSTEM, slug="marketing", name="Marketing")
    orders = actions.create_product(
        SYSTEM, domain=emea, slug="orders", name="Orders", lifecycle="published", tags=["sales"]
    )
    leads = actions.create_product(SYSTEM, domain=marketing, slug="leads", name="Leads")
    actions.add_owner(SYSTEM, sales, user=people.domain_owner)
    actions.add_owner(SYSTEM, orders, user=people.owner)
    actions.add_owner(SYSTEM, leads, user=people.other_owner)
    return SimpleNamespace(**vars(people), sales=sales, emea=emea, marketing=marketing, orders=orders, leads=leads)
