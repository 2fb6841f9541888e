"""The CrossGuard pack. Only builds the pack: the rules live in langsmith_policies (importable, tested)."""

from pulumi_policy import EnforcementLevel, PolicyPack

from langsmith_policies import ALL_RULES
from langsmith_policies.crossguard import to_policy

PolicyPack(
    name="langsmith-aws",
    enforcement_level=EnforcementLevel.ADVISORY,  # each policy sets its own level
    policies=[to_policy(rule) for rule in ALL_RULES],
)
