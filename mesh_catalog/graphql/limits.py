"""What one GraphQL request may ask: depth, aliases and an estimated cost.

graphene-django's view applies none of these; ``validation_rules`` passed to the view
*replace* graphql-core's standard rules, so ``VALIDATION_RULES`` starts with them.
The cost estimate multiplies each list by the page it asks for (``first``/``last``, or the
default page size), so ``ports(first: 50) { datasets { columns(first: 200) } }`` costs
what it will really fetch.
"""

from graphene.validation import depth_limit_validator
from graphql import GraphQLError, ValidationRule, specified_rules
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, OperationDefinitionNode

from mesh_catalog.graphql.connections import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_COST = 200_000
PAGED_ARGUMENTS = ("first", "last", "pageSize", "limit")


class AliasLimitRule(ValidationRule):
    """Refuses documents with more than ``MAX_ALIASES`` aliased fields (alias amplification)."""

    def __init__(self, context):
        super().__init__(context)
        self.count = 0

    def enter_field(self, node: FieldNode, *_args):
        if node.alias is not None:
            self.count += 1
            if self.count == MAX_ALIASES + 1:
                self.report_error(GraphQLError(f"Too many aliases: at most {MAX_ALIASES} per request.", node))


def _multiplier(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value in PAGED_ARGUMENTS:
            if isinstance(argument.value, IntValueNode):
                return max(1, int(argument.value.value))
            return MAX_PAGE_SIZE  # a variable: assume the worst it may ask for
    return 0


class CostLimitRule(ValidationRule):
    """Refuses operations whose estimated cost exceeds ``MAX_COST``.

    Each object field costs 1; a field with a page argument multiplies the cost of its
    selection by the page size; connection fields without one by the default page size.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        cost = self._selection_cost(node.selection_set, set())
        if cost > MAX_COST:
            name = node.name.value if node.name else "anonymous"
            self.report_error(
                GraphQLError(
                    f"Query '{name}' is too expensive: estimated cost {cost} > {MAX_COST}. Ask for smaller pages or fewer fields.",
                    node,
                )
            )

    def _selection_cost(self, selection_set, seen_fragments) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None:
                    continue
                multiplier = _multiplier(selection)
                if not multiplier and any(
                    s.name.value == "edges" for s in selection.selection_set.selections if isinstance(s, FieldNode)
                ):
                    multiplier = DEFAULT_PAGE_SIZE
                total += 1 + max(multiplier, 1) * self._selection_cost(selection.selection_set, seen_fragments)
            elif isinstance(selection, InlineFragmentNode):
                total += self._selection_cost(selection.selection_set, seen_fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is not None and name not in seen_fragments:  # cycles are reported by the standard rules
                    total += self._selection_cost(fragment.selection_set, seen_fragments | {name})
            if total > MAX_COST:
                return total
        return total


STANDARD_RULES = tuple(specified_rules)
CUSTOM_RULES = (depth_limit_validator(max_depth=MAX_DEPTH), AliasLimitRule, CostLimitRule)
VALIDATION_RULES = (*STANDARD_RULES, *CUSTOM_RULES)
