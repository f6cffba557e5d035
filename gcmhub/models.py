"""Every table, imported in one place so migrations see the whole schema."""

from gcmhub.accounts.models import ApiToken, AuditEntry, LoginSession, Notification, User
from gcmhub.community.models import Consultation, Contribution, Organization
from gcmhub.db import Base
from gcmhub.fund.models import (
    Account,
    Call,
    Deposit,
    Donor,
    Entry,
    Instalment,
    Pledge,
    Proposal,
    Review,
    Transaction,
)
from gcmhub.hub.models import (
    Attachment,
    Engagement,
    Offer,
    Provider,
    RequestEvent,
    SupportRequest,
)
from gcmhub.indicators.models import (
    Area,
    Dataset,
    Indicator,
    Observation,
    PolicyAnswer,
    RecruitmentCost,
    RemittancePrice,
)
from gcmhub.knowledge.models import Item, ItemConcept, Source
from gcmhub.practices.models import (
    PracticeCall,
    PracticeEvent,
    PracticeReview,
    PracticeSubmission,
)
from gcmhub.review.models import (
    CapacityAssessment,
    Commitment,
    Partnership,
    Plan,
    PlanVersion,
    ReviewSection,
    VoluntaryReview,
)
from gcmhub.search.models import Embedding
from gcmhub.taxonomy.models import Concept, ConceptBroader, Scheme

__all__ = [
    "Consultation",
    "Contribution",
    "Organization",
    "CapacityAssessment",
    "Commitment",
    "Partnership",
    "Plan",
    "PlanVersion",
    "ReviewSection",
    "VoluntaryReview",
    "Area",
    "Dataset",
    "Indicator",
    "Observation",
    "PolicyAnswer",
    "RecruitmentCost",
    "RemittancePrice",
    "Account",
    "Deposit",
    "Donor",
    "Entry",
    "Instalment",
    "Pledge",
    "Transaction",
    "Attachment",
    "Engagement",
    "Notification",
    "Offer",
    "PracticeCall",
    "PracticeEvent",
    "PracticeReview",
    "PracticeSubmission",
    "Proposal",
    "Review",
    "Call",
    "Provider",
    "RequestEvent",
    "SupportRequest",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Concept",
    "ConceptBroader",
    "Embedding",
    "Item",
    "ItemConcept",
    "LoginSession",
    "Scheme",
    "Source",
    "User",
]
