"""Shared test helpers of the catalog: a small mesh built through the catalog's actions."""

from types import SimpleNamespace

from apps.catalog import actions
from apps.core.testing import SYSTEM, make_user


def make_mesh():
    """A domain tree with an owned product, and the people of the permission matrix.

    Returns a namespace with: admin, domain_owner (owns ``sales``), owner (owns product
    ``orders``), other_owner (owns ``leads`` in ``marketing``), consumer; domains sales,
    emea (under sales), marketing; products orders (in emea) and leads.
    """
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
