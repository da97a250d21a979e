"""Claims of the papers, each tied to evidence that could have failed."""
from attnlimits.proofs_checks.registry import Claim, Outcome, all_claims, claim, get_claim

__all__ = ["Claim", "Outcome", "all_claims", "claim", "get_claim"]
