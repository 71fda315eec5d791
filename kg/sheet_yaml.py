"""Fact sheets written as YAML that the fact-sheet reader reads back unchanged.

`yaml.safe_dump` is not quite that, for two reasons the property tests found
(tests/test_properties.py):

- the reader (`kg.loaders._readers`) reads `465e9` as a number, as people write it, where YAML
  1.1 wants a dot (`4.65e+11`); safe_dump leaves a *string* such as "1e5" or a ticker "2E10"
  unquoted, so it came back as the float 100000.0;
- PyYAML writes a NEL (U+0085) raw inside a single-quoted scalar, where YAML reads it as a
  line break and folds it: "0\\x850" came back as "0 0". Strings holding a character YAML
  counts as a line break (NEL, U+2028, U+2029) are written double-quoted, where they are escaped.

    from kg.sheet_yaml import dump_yaml
    text = dump_yaml({"entities": [...], "facts": [...]})
"""
from __future__ import annotations

import re
from typing import Any

import yaml

#: the reader's extra float form (kg.loaders._readers): digits, optional fraction, exponent
EXPONENT_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
_BREAKS = ("\x85", "\u2028", "\u2029")


class SheetDumper(yaml.SafeDumper):
    """SafeDumper that quotes what the fact-sheet reader would not read back as the same string."""


def _represent_str(dumper: SheetDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(ch in value for ch in _BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


SheetDumper.add_implicit_resolver("tag:yaml.org,2002:float", EXPONENT_FLOAT, list("-+0123456789"))
SheetDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, **options: Any) -> str:
    """`data` as YAML for a fact sheet (`kg extract`'s output): unicode kept, keys in order."""
    kwargs = {"allow_unicode": True, "sort_keys": False, "width": 110, **options}
    return yaml.dump(data, Dumper=SheetDumper, **kwargs)
