"""Taxonomies: concept schemes, their loaders and the schemes shipped with GCM Hub."""

from gcmhub.taxonomy.schemes import ConceptData, SchemeData, TaxonomyError, validate

__all__ = ["ConceptData", "SchemeData", "TaxonomyError", "validate"]
