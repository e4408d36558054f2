"""YAML input files validated by pydantic, with errors that name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputFileError(ValueError):
    """An input file is unusable; the message is "<file>:<line>: <where>: <what>"."""


class _NoDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so pydantic (not PyYAML) reports bad dates."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def display_path(path: Path) -> str:
    """Return the path relative to the working directory when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def dotted(loc: tuple) -> str:
    """Return ('people', 3, 'roles', 0, 'party') as 'people[3].roles[0].party'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(root: yaml.Node | None, loc: tuple) -> int:
    """Return the 1-based line of the deepest YAML node the location reaches."""
    node, line = root, (root.start_mark.line + 1 if root is not None else 1)
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if key.value == part:
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def read_yaml(path: Path, error: type[InputFileError] = InputFileError) -> tuple[object, yaml.Node | None]:
    """Return (data, root node) of a YAML file; raise `error` naming the file and line on any problem."""
    shown = display_path(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{shown}:1: cannot read: {exc}") from exc
    loader = _NoDatesLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise error(f"{shown}:{line}: YAML syntax error: {exc.problem or exc}") from exc
    finally:
        loader.dispose()
    return data, root


def validate(model: type[M], data: object, root: yaml.Node | None, path: Path,
             error: type[InputFileError] = InputFileError) -> M:
    """Return the data validated as the model; raise `error` with file, line and field of the first problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise error(f"{display_path(path)}:{line_of(root, loc)}: {dotted(loc)}: {first['msg']}") from exc
