"""The schema as data, and the validator that reads it.

`ripplekg.yaml` beside this file is the single source of truth; this module
turns it into lookups (type inheritance, predicate specs) that the validator,
the resolver and later the Cypher/RDF generators share.
"""
from __future__ import annotations

from kg.schema.model import EdgeSpec, PropSpec, Schema, load_schema
from kg.schema.validate import validate

__all__ = ["EdgeSpec", "PropSpec", "Schema", "load_schema", "validate"]
