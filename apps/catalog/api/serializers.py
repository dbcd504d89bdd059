"""Serializers of the catalog's REST API. Writes go through ``apps.catalog.actions``.

``create`` / ``update`` never touch the ORM themselves: they call the action with the
request's user as actor, so REST obeys the same permission and history rules as pages.
"""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.catalog import actions
from apps.catalog.models import (
    Classification,
    Column,
    DataProduct,
    Dataset,
    Domain,
    Lifecycle,
    Ownership,
    OwnershipRole,
    Port,
    PortDirection,
    PortProtocol,
    Team,
)

VIA = "rest"


def _actor(serializer):
    return serializer.context["request"].user


class TagNamesField(serializers.ListField):
    """Tags as a list of slugs: written as names, read from the (prefetched) relation."""

    child = serializers.CharField(max_length=100)

    def to_representation(self, manager):
        return [t.slug for t in manager.all()]


class DomainSerializer(serializers.ModelSerializer):
    """A domain; ``parent`` by slug. Path and depth are maintained by the actions."""

    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Domain.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Domain
        fields = ["id", "slug", "name", "description", "parent", "path", "depth", "created_at", "updated_at"]
        read_only_fields = ["id", "path", "depth", "created_at", "updated_at"]

    def create(self, data):
        return actions.create_domain(_actor(self), via=VIA, **data)

    def update(self, domain, data):
        return actions.update_domain(_actor(self), domain, via=VIA, **data)


class ProductSerializer(serializers.ModelSerializer):
    """A data product; ``domain`` by slug, ``tags`` as a list of names.

    Send ``expected_revision`` (the ``revision`` you read) to be told about concurrent edits
    with a 409 instead of overwriting them.
    """

    domain = serializers.SlugRelatedField(slug_field="slug", queryset=Domain.objects.all())
    tags = TagNamesField(required=False)
    lifecycle = serializers.ChoiceField(choices=Lifecycle.choices, required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    expected_revision = serializers.IntegerField(write_only=True, required=False, min_value=1)

    class Meta:
        model = DataProduct
        fields = [
            "id",
            "slug",
            "name",
            "domain",
            "summary",
            "description",
            "lifecycle",
            "classification",
            "tags",
            "cost_per_month",
            "cost_currency",
            "revision",
            "expected_revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "revision", "created_at", "updated_at"]

    def create(self, data):
        data.pop("expected_revision", None)
        return actions.create_product(_actor(self), via=VIA, **data)

    def update(self, product, data):
        return actions.update_product(_actor(self), product, via=VIA, **data)


class PortSerializer(serializers.ModelSerializer):
    """A port of a product; ``datasets`` as dataset ids, ``upstream_port`` as a port id."""

    product = serializers.SlugRelatedField(slug_field="slug", queryset=DataProduct.objects.all())
    direction = serializers.ChoiceField(choices=PortDirection.choices)
    protocol = serializers.ChoiceField(choices=PortProtocol.choices, required=False)
    datasets = serializers.PrimaryKeyRelatedField(many=True, queryset=Dataset.objects.all(), required=False)
    upstream_port = serializers.PrimaryKeyRelatedField(queryset=Port.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Port
        fields = [
            "id",
            "product",
            "direction",
            "name",
            "protocol",
            "format",
            "endpoint",
            "endpoint_details",
            "description",
            "upstream_port",
            "datasets",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # uniqueness is the action's job (one message, one code for every interface)

    def validate_endpoint_details(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Endpoint details are an object of non-secret settings.", code="invalid")
        return value

    def create(self, data):
        product = data.pop("product")
        return actions.create_port(_actor(self), product, via=VIA, **data)

    def update(self, port, data):
        if "product" in data and data.pop("product").pk != port.product_id:
            raise serializers.ValidationError({"product": ["A port cannot move to another product."]}, code="immutable")
        return actions.update_port(_actor(self), port, via=VIA, **data)


class OwnershipSerializer(serializers.ModelSerializer):
    """A role held by a user (username) or a team (slug) on a product or a domain (slug)."""

    product = serializers.SlugRelatedField(
        slug_field="slug", queryset=DataProduct.objects.all(), allow_null=True, required=False
    )
    domain = serializers.SlugRelatedField(
        slug_field="slug", queryset=Domain.objects.all(), allow_null=True, required=False
    )
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), allow_null=True, required=False
    )
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), allow_null=True, required=False)
    role = serializers.ChoiceField(choices=OwnershipRole.choices, required=False)

    class Meta:
        model = Ownership
        fields = ["id", "product", "domain", "user", "team", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []

    def validate(self, data):
        if (data.get("product") is None) == (data.get("domain") is None):
            raise serializers.ValidationError(
                {"product": ["Name either a product or a domain."]}, code="target_required"
            )
        return data

    def create(self, data):
        target = data.get("product") or data.get("domain")
        return actions.add_owner(
            _actor(self),
            target,
            user=data.get("user"),
            team=data.get("team"),
            role=data.get("role") or OwnershipRole.OWNER,
            via=VIA,
        )


class ColumnSerializer(serializers.ModelSerializer):
    """A harvested column."""

    class Meta:
        model = Column
        fields = ["name", "ordinal", "data_type", "nullable", "description", "is_primary_key", "tags"]


class DatasetSerializer(serializers.ModelSerializer):
    """A harvested dataset (read-only: datasets are written by harvests)."""

    class Meta:
        model = Dataset
        fields = [
            "id",
            "namespace",
            "name",
            "qualified_name",
            "short_name",
            "platform",
            "kind",
            "description",
            "owner",
            "row_estimate",
            "size_bytes",
            "last_modified_at",
            "first_seen_at",
            "last_seen_at",
            "removed_at",
        ]


class DatasetDetailSerializer(DatasetSerializer):
    """A dataset with its columns."""

    columns = ColumnSerializer(many=True, read_only=True)

    class Meta(DatasetSerializer.Meta):
        fields = DatasetSerializer.Meta.fields + ["properties", "columns"]


class TeamSerializer(serializers.ModelSerializer):
    """A team and its members' usernames."""

    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "description", "email", "chat_channel", "members"]
