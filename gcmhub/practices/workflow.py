"""The life of a practice submission, from the one web form to a published knowledge item.

submitted -> in_review: a curator assigns the reviewers (by default one from the UN system
and two external ones), each of whom declares conflicts of interest before reviewing;
in_review <-> clarification_requested: a reviewer or curator asks the submitter, who answers;
in_review -> approved: the curator decides once every review is in and any disagreement has
had another reviewer; approved -> published: the practice becomes a knowledge item with the
review on record. A curator may reject a submission until it is approved; its submitter may
withdraw it until then.
"""

from __future__ import annotations

from functools import lru_cache

from gcmhub.settings import get_settings
from gcmhub.workflow import Workflow, parse_deadlines

PRACTICE_STATES = (
    "submitted",
    "in_review",
    "clarification_requested",
    "approved",
    "published",
    "rejected",
    "withdrawn",
)
PRACTICE_STEPS = {
    "submitted": ("in_review", "rejected", "withdrawn"),
    "in_review": ("clarification_requested", "approved", "rejected", "withdrawn"),
    "clarification_requested": ("in_review", "rejected", "withdrawn"),
    "approved": ("published",),
}
# The step the submitter takes; the curators take the others (assigning reviewers moves a
# submission into review, a reviewer's question out to clarification and the answer back).
SUBMITTER_STEPS = frozenset({"withdrawn"})
# States in which reviewers are assigned, declare conflicts, review and ask.
REVIEWING = ("in_review", "clarification_requested")
OPEN_STATES = ("submitted", "in_review", "clarification_requested", "approved")


@lru_cache(maxsize=4)
def _workflow(deadlines: str) -> Workflow:
    return Workflow(
        "practice submission",
        PRACTICE_STATES,
        PRACTICE_STEPS,
        parse_deadlines(deadlines, PRACTICE_STATES),
    )


def practice_workflow() -> Workflow:
    """Return the submission workflow with the deadlines in force
    (`GCMHUB_PRACTICE_DEADLINES`)."""
    return _workflow(get_settings().practice_deadlines)
