"""Every table, imported in one place so migrations see the whole schema."""

from gcmhub.db import Base
from gcmhub.knowledge.models import Item, ItemConcept, Source
from gcmhub.taxonomy.models import Concept, ConceptBroader, Scheme

__all__ = ["Base", "Concept", "ConceptBroader", "Item", "ItemConcept", "Scheme", "Source"]
