"""Teams of people and who owns which domain or data product."""

from django.conf import settings
from django.core.validators import validate_slug
from django.db import models
from django.db.models import Q

from apps.catalog.models.choices import OwnershipRole
from apps.core.models import ChangeLoggedModel


class Team(ChangeLoggedModel):
    """A group of people (Django users) that can own domains and products together."""

    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    chat_channel = models.CharField(max_length=200, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mesh_teams")

    history_fields = ("slug", "name", "description", "email", "chat_channel", "members")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ownership(ChangeLoggedModel):
    """A user or a team holding a role on a domain or a data product.

    Exactly one of (user, team) and exactly one of (domain, product) is set, enforced by
    the database. Domain owners may edit everything in their domain and its sub-domains.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="mesh_ownerships"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="ownerships")
    domain = models.ForeignKey(
        "catalog.Domain", null=True, blank=True, on_delete=models.CASCADE, related_name="ownerships"
    )
    product = models.ForeignKey(
        "catalog.DataProduct", null=True, blank=True, on_delete=models.CASCADE, related_name="ownerships"
    )
    role = models.CharField(max_length=20, choices=OwnershipRole.choices, default=OwnershipRole.OWNER)

    history_fields = ("user", "team", "domain", "product", "role")

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False)),
                name="ownership_user_xor_team",
                violation_error_message="An ownership names either a user or a team.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(domain__isnull=False, product__isnull=True) | Q(domain__isnull=True, product__isnull=False)
                ),
                name="ownership_domain_xor_product",
                violation_error_message="An ownership applies to either a domain or a data product.",
            ),
            models.UniqueConstraint(
                fields=["user", "product", "role"],
                condition=Q(user__isnull=False, product__isnull=False),
                name="uniq_user_product_role",
            ),
            models.UniqueConstraint(
                fields=["team", "product", "role"],
                condition=Q(team__isnull=False, product__isnull=False),
                name="uniq_team_product_role",
            ),
            models.UniqueConstraint(
                fields=["user", "domain", "role"],
                condition=Q(user__isnull=False, domain__isnull=False),
                name="uniq_user_domain_role",
            ),
            models.UniqueConstraint(
                fields=["team", "domain", "role"],
                condition=Q(team__isnull=False, domain__isnull=False),
                name="uniq_team_domain_role",
            ),
        ]

    def __str__(self):
        who = self.user.get_username() if self.user_id else (self.team.name if self.team_id else "?")
        what = self.product if self.product_id else self.domain
        return f"{who} — {self.get_role_display()} of {what}"

    @property
    def holder_label(self) -> str:
        return self.user.get_full_name() or self.user.get_username() if self.user_id else self.team.name

    def history_parent(self):
        return self.product if self.product_id else self.domain
