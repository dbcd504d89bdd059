"""Writes through actions: permissions, validation, history, conflicts."""

import pytest
from django.contrib.contenttypes.models import ContentType

from apps.catalog import actions
from apps.catalog.models import DataProduct, Domain, Port
from apps.catalog.testing import make_mesh
from apps.core.errors import ActionError, ConflictError, PermissionDeniedError
from apps.core.history import history_for, state_at
from apps.core.models import ObjectChange
from apps.core.testing import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesh():
    return make_mesh()


@pytest.mark.parametrize(
    "who, allowed",
    [("admin", True), ("domain_owner", True), ("owner", True), ("other_owner", False), ("consumer", False)],
)
def test_who_may_edit_a_product(mesh, who, allowed):
    actor = getattr(mesh, who)
    if allowed:
        product = actions.update_product(actor, mesh.orders, summary=f"edited by {who}")
        assert DataProduct.objects.get(pk=product.pk).summary == f"edited by {who}"
    else:
        with pytest.raises(PermissionDeniedError):
            actions.update_product(actor, mesh.orders, summary="nope")
        assert DataProduct.objects.get(pk=mesh.orders.pk).summary == ""


def test_anonymous_cannot_edit(mesh):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDeniedError):
        actions.update_product(AnonymousUser(), mesh.orders, summary="x")


def test_domain_owner_rights_reach_subdomains_but_not_siblings(mesh):
    actions.create_product(mesh.domain_owner, domain=mesh.emea, slug="emea-quotes", name="Quotes")
    with pytest.raises(PermissionDeniedError):
        actions.create_product(mesh.domain_owner, domain=mesh.marketing, slug="x", name="X")
    with pytest.raises(PermissionDeniedError):
        actions.update_product(mesh.domain_owner, mesh.leads, summary="x")


def test_team_membership_grants_ownership(mesh):
    team = actions.create_team(SYSTEM, slug="growth", name="Growth", members=[mesh.consumer])
    actions.add_owner(SYSTEM, mesh.leads, team=team)
    actions.update_product(mesh.consumer, mesh.leads, summary="by a team member")
    assert DataProduct.objects.get(slug="leads").summary == "by a team member"


def test_every_edit_is_recorded_with_who_and_what(mesh):
    actions.update_product(mesh.owner, mesh.orders, summary="All orders", tags=["sales", "gold"])
    change = history_for(mesh.orders).first()
    assert change.actor_label == "olivia"
    assert change.user == mesh.owner
    assert change.action == "update"
    assert change.changed_fields["summary"] == ("", "All orders")
    assert change.changed_fields["tags"] == (["sales"], ["gold", "sales"])


def test_an_unchanged_save_records_nothing(mesh):
    before = ObjectChange.objects.count()
    product = DataProduct.objects.get(pk=mesh.orders.pk)
    actions.update_product(mesh.owner, product, name=product.name, tags=["sales"])
    assert ObjectChange.objects.count() == before
    assert DataProduct.objects.get(pk=product.pk).revision == product.revision


def test_port_and_owner_changes_appear_in_the_product_history(mesh):
    port = actions.create_port(mesh.owner, mesh.orders, name="orders-table", direction="output", protocol="postgres")
    actions.add_owner(mesh.owner, mesh.orders, user=mesh.consumer, role="steward")
    types = [c.content_type.model for c in history_for(mesh.orders)[:2]]
    assert types == ["ownership", "port"]
    assert port.history_parent() == mesh.orders


def test_any_past_state_can_be_read_back(mesh):
    actions.update_product(mesh.owner, mesh.orders, summary="v2")
    first = (
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(DataProduct), object_id=mesh.orders.pk
        )
        .order_by("id")
        .first()
    )
    actions.update_product(mesh.owner, mesh.orders, summary="v3")
    assert state_at(mesh.orders, first.id)["summary"] == ""
    assert history_for(mesh.orders).first().postchange_data["summary"] == "v3"


def test_stale_edit_is_a_conflict_naming_what_changed(mesh):
    loaded_revision = DataProduct.objects.get(pk=mesh.orders.pk).revision
    actions.update_product(mesh.domain_owner, mesh.orders, expected_revision=loaded_revision, summary="theirs")
    with pytest.raises(ConflictError) as exc:
        actions.update_product(mesh.owner, mesh.orders, expected_revision=loaded_revision, summary="mine")
    assert exc.value.changes["summary"] == ("", "theirs")
    assert DataProduct.objects.get(pk=mesh.orders.pk).summary == "theirs"


def test_unknown_fields_are_refused(mesh):
    with pytest.raises(ActionError, match="Unknown product field"):
        actions.update_product(mesh.owner, mesh.orders, colour="red")


@pytest.mark.parametrize("slug", ["has space", "ümlaut", "", "a/b"])
def test_invalid_slugs_are_refused(mesh, slug):
    with pytest.raises(ActionError) as exc:
        actions.create_product(SYSTEM, domain=mesh.sales, slug=slug, name="Bad")
    assert exc.value.errors[0][0] == "slug"
    assert not DataProduct.objects.filter(name="Bad").exists()


def test_duplicate_product_slug_is_refused(mesh):
    with pytest.raises(ActionError, match="already exists"):
        actions.create_product(SYSTEM, domain=mesh.sales, slug="orders", name="Orders again")


def test_cost_needs_a_currency_and_cannot_be_negative(mesh):
    with pytest.raises(ActionError, match="currency"):
        actions.update_product(SYSTEM, mesh.orders, cost_per_month=10)
    with pytest.raises(ActionError):
        actions.update_product(SYSTEM, mesh.orders, cost_per_month=-1, cost_currency="EUR")


# --- Domain tree --------------------------------------------------------------------


def test_domain_paths_and_subtree_query(mesh):
    assert mesh.emea.path == "/sales/emea/"
    assert list(Domain.objects.subtree(mesh.sales).values_list("slug", flat=True)) == ["sales", "emea"]
    assert [d.slug for d in Domain.objects.ancestors_of(mesh.emea)] == ["sales", "emea"]


def test_moving_a_domain_rewrites_the_subtree_in_one_update(mesh, django_assert_max_num_queries):
    deep = actions.create_domain(SYSTEM, slug="emea-north", name="North", parent=mesh.emea)
    actions.update_domain(SYSTEM, mesh.emea, parent=mesh.marketing)
    deep.refresh_from_db()
    assert deep.path == "/marketing/emea/emea-north/"
    assert deep.depth == 2


def test_cycles_in_the_domain_tree_are_refused(mesh):
    with pytest.raises(ActionError, match="cycle"):
        actions.update_domain(SYSTEM, mesh.sales, parent=mesh.emea)
    with pytest.raises(ActionError, match="cycle"):
        actions.update_domain(SYSTEM, mesh.sales, parent=mesh.sales)
    assert Domain.objects.get(slug="sales").parent is None


def test_only_admins_create_top_level_domains(mesh):
    with pytest.raises(PermissionDeniedError):
        actions.create_domain(mesh.domain_owner, slug="hr", name="HR")
    sub = actions.create_domain(mesh.domain_owner, slug="sales-apac", name="APAC", parent=mesh.sales)
    assert sub.path == "/sales/sales-apac/"


def test_a_domain_with_products_cannot_be_deleted(mesh):
    with pytest.raises(ActionError, match="still has"):
        actions.delete_domain(SYSTEM, mesh.emea)


# --- Ports -----------------------------------------------------------------------------


def test_input_port_consumes_another_products_output(mesh):
    out = actions.create_port(mesh.owner, mesh.orders, name="orders", direction="output", protocol="postgres")
    inp = actions.create_port(mesh.other_owner, mesh.leads, name="orders-in", direction="input", upstream_port=out)
    assert list(out.consumer_ports.all()) == [inp]


def test_input_port_cannot_point_at_an_input_port(mesh):
    inp = actions.create_port(mesh.owner, mesh.orders, name="raw-in", direction="input")
    with pytest.raises(ActionError) as exc:
        actions.create_port(mesh.other_owner, mesh.leads, name="bad", direction="input", upstream_port=inp)
    assert exc.value.errors[0][1] == "not_an_output_port"
    assert not Port.objects.filter(name="bad").exists()


def test_a_product_cannot_consume_its_own_output(mesh):
    out = actions.create_port(mesh.owner, mesh.orders, name="orders", direction="output")
    with pytest.raises(ActionError, match="own output port"):
        actions.create_port(mesh.owner, mesh.orders, name="loop", direction="input", upstream_port=out)


def test_output_port_cannot_have_an_upstream(mesh):
    out = actions.create_port(mesh.other_owner, mesh.leads, name="leads", direction="output")
    with pytest.raises(ActionError, match="Only an input port"):
        actions.create_port(mesh.owner, mesh.orders, name="x", direction="output", upstream_port=out)


def test_linking_a_missing_dataset_is_refused(mesh):
    with pytest.raises(ActionError, match="No dataset"):
        actions.create_port(
            mesh.owner, mesh.orders, name="t", direction="output", datasets=[("postgres://h:5432", "db.s.nope")]
        )
    assert not Port.objects.filter(name="t").exists()


def test_port_dataset_links_are_in_history(mesh):
    ds = actions.register_dataset(
        SYSTEM,
        namespace="postgres://h:5432",
        name="db.sales.orders",
        platform="postgres",
        columns=[{"name": "id", "type": "int"}],
    )
    port = actions.create_port(mesh.owner, mesh.orders, name="t", direction="output")
    actions.set_port_datasets(mesh.owner, port, [ds])
    assert history_for(mesh.orders).first().postchange_data["datasets"] == ["postgres://h:5432/db.sales.orders"]


def test_non_owner_cannot_delete_a_port(mesh):
    port = actions.create_port(mesh.owner, mesh.orders, name="t", direction="output")
    with pytest.raises(PermissionDeniedError):
        actions.delete_port(mesh.consumer, port)
    actions.delete_port(mesh.owner, port)
    assert history_for(mesh.orders).first().action == "delete"


# --- Ownership --------------------------------------------------------------------------


def test_ownership_needs_exactly_one_holder(mesh):
    with pytest.raises(ActionError, match="either a user or a team"):
        actions.add_owner(SYSTEM, mesh.orders)
    team = actions.create_team(SYSTEM, slug="t", name="T")
    with pytest.raises(ActionError, match="either a user or a team"):
        actions.add_owner(SYSTEM, mesh.orders, user=mesh.consumer, team=team)


def test_adding_the_same_owner_twice_is_idempotent(mesh):
    a = actions.add_owner(mesh.owner, mesh.orders, user=mesh.consumer, role="steward")
    b = actions.add_owner(mesh.owner, mesh.orders, user=mesh.consumer, role="steward")
    assert a.pk == b.pk


def test_consumer_cannot_make_themselves_owner(mesh):
    with pytest.raises(PermissionDeniedError):
        actions.add_owner(mesh.consumer, mesh.orders, user=mesh.consumer)
