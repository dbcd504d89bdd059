"""The evaluators of the rubric's criteria, one module per DATSIS principle.

Each registers itself in ``CRITERIA`` under the id the rubric names; the rubric refuses
an id nobody registered.
"""

from apps.trust.criteria.base import CRITERIA, EVIDENCE_SHOWN, Outcome, Scope, criterion

from apps.trust.criteria import addressable, discoverable, interoperable, secure, self_describing, trustworthy  # noqa: F401  isort: skip

__all__ = ["CRITERIA", "EVIDENCE_SHOWN", "Outcome", "Scope", "criterion"]
