from apps.privacy.models.classification import AnonymisedColumn, ColumnClassification, Origin, State
from apps.privacy.models.forget import ForgetRequest, ForgetTask
from apps.privacy.models.policy import DEFAULT_POLICIES, ClassificationConflict, LevelPolicy, PersonalDataGrant
from apps.privacy.models.runs import DetectionRun

__all__ = [
    "DEFAULT_POLICIES",
    "AnonymisedColumn",
    "ClassificationConflict",
    "ColumnClassification",
    "DetectionRun",
    "ForgetRequest",
    "ForgetTask",
    "LevelPolicy",
    "Origin",
    "PersonalDataGrant",
    "State",
]
