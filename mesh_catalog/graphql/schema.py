"""The root GraphQL schema, composed from the apps' query and mutation types.

Regenerate the committed ``schema.graphql`` after a change with
``python manage.py graphql_schema --schema mesh_catalog.graphql.schema.schema --out schema.graphql``
(a test fails while it is stale).
"""

import graphene

from apps.catalog.graphql.mutations import CatalogMutation
from apps.catalog.graphql.queries import CatalogQuery
from apps.contracts.graphql import ContractsMutation, ContractsQuery
from apps.costs.graphql import CostsQuery
from apps.events.graphql import EventsMutation, EventsQuery
from apps.governance.graphql import GovernanceMutation, GovernanceQuery
from apps.harvest.graphql.schema import HarvestQuery
from apps.lab.graphql import LabMutation, LabQuery
from apps.privacy.graphql import PrivacyMutation, PrivacyQuery
from apps.search.graphql import SearchQuery
from apps.trust.graphql import TrustMutation, TrustQuery


class Query(
    SearchQuery,
    CatalogQuery,
    HarvestQuery,
    LabQuery,
    GovernanceQuery,
    EventsQuery,
    ContractsQuery,
    TrustQuery,
    PrivacyQuery,
    CostsQuery,
    graphene.ObjectType,
):
    """Everything a program can read from the catalog."""


class Mutation(
    CatalogMutation,
    LabMutation,
    GovernanceMutation,
    EventsMutation,
    ContractsMutation,
    TrustMutation,
    PrivacyMutation,
    graphene.ObjectType,
):
    """Every owner edit, each through an action with its permission and typed errors."""


schema = graphene.Schema(query=Query, mutation=Mutation)
