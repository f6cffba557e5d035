"""The life of a request for support, following paragraph 43(a) of the Compact.

submitted -> triaged: (i) the secretariat advises on, assesses and processes the request;
triaged -> matched: (ii) main implementing partners identified by comparative advantage and
capacity, and (iii) the request connected to similar initiatives and solutions;
matched -> in_progress: (iv) multi-agency, multi-stakeholder implementation set up;
(v) funding: from matched or in progress a draft start-up fund proposal can be opened;
in_progress -> resolved -> closed, with the requester's rating and lessons. A request may be
declined while it is assessed, or withdrawn by its country before it is resolved.
"""

from __future__ import annotations

from functools import lru_cache

from gcmhub.settings import get_settings
from gcmhub.workflow import Workflow, parse_deadlines

REQUEST_STATES = (
    "submitted",
    "triaged",
    "matched",
    "in_progress",
    "resolved",
    "closed",
    "declined",
    "withdrawn",
)
REQUEST_STEPS = {
    "submitted": ("triaged", "declined", "withdrawn"),
    "triaged": ("matched", "declined", "withdrawn"),
    "matched": ("in_progress", "triaged", "withdrawn"),
    "in_progress": ("resolved", "matched", "withdrawn"),
    "resolved": ("closed", "in_progress"),
}
# Steps the requesting country takes itself; every other step is the secretariat's.
REQUESTER_STEPS = frozenset({"withdrawn", "closed"})
# Which part of paragraph 43(a) each state stands for (shown on the request page).
PARA_43A = {
    "submitted": "(i) advise on, assess and process the country request",
    "triaged": "(ii) identify the main implementing partners; "
    "(iii) connect to similar initiatives and solutions",
    "matched": "(iv) set up multi-agency and multi-stakeholder implementation; "
    "(v) identify funding",
    "in_progress": "implementation under way",
    "resolved": "resolved: the requester rates the support and closes",
}
OPEN_STATES = ("submitted", "triaged", "matched", "in_progress", "resolved")


@lru_cache(maxsize=4)
def _workflow(deadlines: str) -> Workflow:
    return Workflow(
        "request", REQUEST_STATES, REQUEST_STEPS, parse_deadlines(deadlines, REQUEST_STATES)
    )


def request_workflow() -> Workflow:
    """Return the request workflow with the deadlines in force (`GCMHUB_HUB_DEADLINES`)."""
    return _workflow(get_settings().hub_deadlines)
