"""REST shapes of the trust app: the explained score, leaderboard rows and incidents."""

from rest_framework import serializers

from apps.trust.models import Incident, IncidentUpdate, Severity


class EvidenceSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(required=False)


class CriterionSerializer(serializers.Serializer):
    id = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True, help_text="null: the criterion does not apply to this product.")
    points = serializers.FloatField(help_text="Points of the overall score this criterion is worth.")
    evidence = EvidenceSerializer(many=True)
    count = serializers.IntegerField(help_text="How many things are at fault (evidence lists the first few).")
    note = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField()
    fix = serializers.CharField()


class PrincipleSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    label = serializers.CharField()
    criteria = CriterionSerializer(many=True)


class PrinciplesSerializer(serializers.Serializer):
    discoverable = PrincipleSerializer()
    addressable = PrincipleSerializer()
    trustworthy = PrincipleSerializer()
    self_describing = PrincipleSerializer()
    interoperable = PrincipleSerializer()
    secure = PrincipleSerializer()


class NextActionSerializer(serializers.Serializer):
    id = serializers.CharField()
    points = serializers.FloatField()
    fix = serializers.CharField()


class MaturitySerializer(serializers.Serializer):
    """``GET /api/v1/products/{slug}/maturity/``: the score with its explanation."""

    score = serializers.FloatField()
    level = serializers.IntegerField()
    level_name = serializers.CharField(allow_blank=True)
    weakest = serializers.CharField(allow_blank=True)
    weakest_label = serializers.CharField(allow_blank=True)
    computed_at = serializers.CharField()
    principles = PrinciplesSerializer()
    next_actions = NextActionSerializer(many=True)


class LeaderboardRowSerializer(serializers.Serializer):
    product = serializers.CharField(source="product.slug")
    name = serializers.CharField(source="product.name")
    domain = serializers.CharField(source="product.domain.slug")
    score = serializers.FloatField()
    level = serializers.IntegerField()
    weakest = serializers.CharField(allow_blank=True)
    principles = serializers.DictField(child=serializers.FloatField(allow_null=True))


class IncidentUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentUpdate
        fields = ["time", "kind", "message", "author_label"]


class IncidentSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.slug", read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    updates = IncidentUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "product",
            "title",
            "severity",
            "cause",
            "cause_key",
            "opened_at",
            "resolved_at",
            "is_open",
            "updates",
        ]


class IncidentInputSerializer(serializers.Serializer):
    """Opening an incident (owners): a title, a severity and what consumers should know."""

    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MAJOR)
    message = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class IncidentResolveSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
