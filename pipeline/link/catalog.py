"""The catalog of disputed assertions (data/assertions.yaml), validated with file, entry and field errors."""

from __future__ import annotations

from pathlib import Path

from pipeline.models import Assertion, Strict
from pipeline.yamlfile import InputFileError, display_path, dotted, line_of, read_yaml, validate


class CatalogError(InputFileError):
    """The catalog file is unusable; the message names file, line, entry and field."""


class Catalog(Strict):
    """Every disputed assertion researchers track."""

    assertions: list[Assertion] = []

    def by_id(self) -> dict[str, Assertion]:
        """Return the assertions keyed by id."""
        return {a.id: a for a in self.assertions}


def load_catalog(path: Path) -> Catalog:
    """Return the validated catalog; raise CatalogError naming file, line, entry and field."""
    data, root = read_yaml(path, CatalogError)
    if data is None:
        return Catalog()
    if not isinstance(data, dict):
        raise CatalogError(f"{display_path(path)}:1: expected a mapping with an 'assertions' list")
    catalog = validate(Catalog, data, root, path, CatalogError)
    seen: dict[str, int] = {}
    for i, assertion in enumerate(catalog.assertions):
        if assertion.id in seen:
            loc = ("assertions", i, "id")
            raise CatalogError(
                f"{display_path(path)}:{line_of(root, loc)}: {dotted(loc)}: duplicate assertion id "
                f"'{assertion.id}' (first at assertions[{seen[assertion.id]}])"
            )
        seen[assertion.id] = i
    return catalog
