"""A root module's ``.tf`` files -> :class:`TfResource` values with file and line.

python-hcl2 parses the files; this module resolves what a plan would: ``var.`` from module calls
and defaults, ``local.``, module outputs, and references to absolute addresses. Local modules
(``source = "./..."``) are read too. Anything it cannot evaluate (functions, conditionals) stays
unknown, and the rules say nothing about unknowns.

``for_each`` over literals (a map, a list, ``toset([...])``, a local or variable holding one, or
another resource's instances) and a literal ``count`` expand into one instance per key, addressed as
a plan addresses them (``aws_x.y["key"]``, ``aws_x.y[0]``), with ``each.key``, ``each.value`` and
``count.index`` bound. A collection it cannot evaluate leaves one resource under its configuration
address, marked ``expansion`` so that rules count it as at least one instance, maybe more.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hcl2
from hcl2.utils import SerializationOptions

from quirks.audit.sources.expansion import Instance, bind, instances
from quirks.audit.sources.terraform import inventory_from_resources
from quirks.audit.sources.values import TfResource
from quirks.errors import UserError

if TYPE_CHECKING:
    from quirks.audit.model import Inventory

__all__ = ["inventory_from_directory"]

_OPTIONS = SerializationOptions(with_comments=True, strip_string_quotes=True)
_WHOLE = re.compile(r"^\$\{([^{}]+)\}$")
_PART = re.compile(r"\$\{([^{}]+)\}")
_SIMPLE = re.compile(r"^[A-Za-z0-9_.\-\[\]\"]+$")
_MAX_DEPTH = 8
MAX_TF_BYTES = 8 * 1024 * 1024
"""The largest .tf file read: hand-written configuration is far smaller."""


@dataclass
class _Module:
    """One module's parsed blocks, and the scope its expressions are evaluated in."""

    directory: Path
    prefix: str
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    children: dict[str, _Module] = field(default_factory=dict)
    resources: list[tuple[str, str, dict[str, Any], str, int | None, tuple[str, ...]]] = field(
        default_factory=list
    )


def inventory_from_directory(directory: Path, display_root: Path | None = None) -> Inventory:
    """The inventory of the root module in ``directory`` (and of the local modules it calls)."""
    if not directory.is_dir():
        raise UserError(f"{directory} is not a directory", "pass the root module's directory")
    if not any(directory.glob("*.tf")):
        raise UserError(f"no .tf files in {directory}", "pass the root module's directory")
    root = display_root or directory  # paths in findings are relative to it (SARIF wants that)
    resources: list[TfResource] = []
    _load(directory, "", {}, resources, root, depth=0)
    return inventory_from_resources(f"terraform {directory}", resources)


def _parse(directory: Path) -> list[tuple[Path, dict[str, Any], str]]:
    parsed = []
    for path in sorted(directory.glob("*.tf")):
        if path.stat().st_size > MAX_TF_BYTES:
            raise UserError(
                f"{path} is larger than {MAX_TF_BYTES // 2**20} MiB", "audit hand-written .tf files"
            )
        text = path.read_text(encoding="utf-8")
        try:
            parsed.append((path, hcl2.loads(text, serialization_options=_OPTIONS), text))
        except Exception as exc:  # the parser's errors have no common base class
            raise UserError(
                f"cannot parse {path}: {str(exc).splitlines()[0]}", "run terraform validate"
            ) from exc
    return parsed


def _line(text: str, keyword: str, *labels: str) -> int | None:
    pattern = keyword + "".join(rf'\s+"?{re.escape(label)}"?' for label in labels) + r"\s*\{"
    match = re.search(pattern, text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _comments_above(text: str, line: int | None) -> tuple[str, ...]:
    """The comment lines right above a block (``# ...`` or ``// ...``): a suppression may sit there."""
    if not line:
        return ()
    lines = text.splitlines()[: line - 1]
    found: list[str] = []
    for previous in reversed(lines):
        stripped = previous.strip()
        if not stripped.startswith(("#", "//")):
            break
        found.append(stripped.lstrip("#/ ").strip())
    return tuple(reversed(found))


def _items(blocks: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for block in blocks or []:
        if isinstance(block, dict):
            out.extend((k, v) for k, v in block.items() if not k.startswith("__"))
    return out


def _load(
    directory: Path,
    prefix: str,
    inputs: dict[str, Any],
    out: list[TfResource],
    root: Path,
    depth: int,
    repeated: str | None = None,
) -> _Module:
    """``repeated`` names the ``for_each``/``count`` of a module call above (not expanded): every
    resource in it is then one instance of an unknown number."""
    module = _Module(directory, prefix)
    calls: list[tuple[str, dict[str, Any]]] = []
    for path, document, text in _parse(directory):
        _read_document(module, document, text, _display(path, root))
        calls.extend(_items(document.get("module")))
    module.variables.update(inputs)
    for name, body in calls:
        _load_call(module, name, body, out, root, depth, repeated)
    _emit(module, out, repeated)
    return module


def _read_document(module: _Module, document: dict[str, Any], text: str, shown: str) -> None:
    """One file's variables (their defaults), locals, outputs and resources into ``module``."""
    for name, body in _items(document.get("variable")):
        if isinstance(body, dict) and "default" in body:
            module.variables[name] = body["default"]
    for block in document.get("locals") or []:
        module.locals.update({k: v for k, v in block.items() if not k.startswith("__")})
    for name, body in _items(document.get("output")):
        if isinstance(body, dict):
            module.outputs[name] = body.get("value")
    for kind, named in _items(document.get("resource")):
        for name, body in (named or {}).items():
            line = _line(text, "resource", kind, name)
            module.resources.append((kind, name, body, shown, line, _comments_above(text, line)))


def _load_call(
    module: _Module,
    name: str,
    body: Any,
    out: list[TfResource],
    root: Path,
    depth: int,
    repeated: str | None,
) -> None:
    """Read the local module a ``module`` block calls (remote sources and deep nesting are not)."""
    source = body.get("source") if isinstance(body, dict) else None
    if not isinstance(source, str) or not source.startswith(("./", "../")) or depth >= _MAX_DEPTH:
        return
    child_dir = (module.directory / source).resolve()
    if not child_dir.is_dir():
        return
    arguments = {
        k: _resolve(module, v) for k, v in body.items() if not k.startswith("__") and k != "source"
    }
    meta = next((m for m in ("for_each", "count") if m in body), None)
    module.children[name] = _load(
        child_dir,
        f"{module.prefix}module.{name}.",
        arguments,
        out,
        root,
        depth + 1,
        repeated or (f"module {meta}" if meta else None),
    )


def _emit(module: _Module, out: list[TfResource], repeated: str | None) -> None:
    """The module's resources, one per instance where ``for_each``/``count`` can be evaluated."""
    bodies = {f"{kind}.{name}": body for kind, name, body, *_ in module.resources}
    for kind, name, body, shown, line, above in module.resources:
        comments = above + tuple(
            c.get("value", "") for c in body.get("__comments__", []) if isinstance(c, dict)
        )
        address = f"{module.prefix}{kind}.{name}"
        expanded = instances(body, lambda raw: _literal(module, raw), bodies)
        if expanded is None:  # for_each/count nobody could evaluate: one of an unknown number
            expansion = "for_each" if "for_each" in body else "count"
            values = _values(module, body)
            out.append(TfResource(address, kind, values, shown, line, comments, expansion))
            continue
        for index, binding in expanded:
            values = _values(module, bind(body, binding))
            out.append(TfResource(address + index, kind, values, shown, line, comments, repeated))


def _values(module: _Module, body: dict[str, Any]) -> dict[str, Any]:
    return {k: _resolve(module, v) for k, v in body.items() if not k.startswith("__")}


def _literal(module: _Module, raw: Any) -> Any:
    """A ``for_each``/``count`` value as a Python literal, or None when it is not one: literals,
    ``toset([...])``/``tolist([...])``, a local or a variable holding one, another resource's
    instances (``aws_x.y``, as an :class:`Instance` marker per key)."""
    for _ in range(_MAX_DEPTH):
        if not isinstance(raw, str):
            return raw
        whole = _WHOLE.match(raw)
        if not whole:
            return raw if "${" not in raw else None
        text = whole.group(1).strip()
        call = re.fullmatch(r"to(?:set|list|map)\((.*)\)", text, re.DOTALL)
        text = call.group(1).strip() if call else text
        if text.startswith(("[", "{")):
            try:
                return json.loads(text)
            except ValueError:
                return None
        if re.fullmatch(r"(?:local|var)\.[A-Za-z0-9_-]+", text):
            scope = module.locals if text.startswith("local.") else module.variables
            if text.split(".", 1)[1] not in scope:
                return None
            raw = scope[text.split(".", 1)[1]]
            continue
        if re.fullmatch(r"[a-z0-9_]+\.[A-Za-z0-9_-]+", text) and not text.startswith(
            ("each.", "count.", "path.", "terraform.", "self.", "data.", "module.")
        ):
            return Instance(text)
        if re.fullmatch(r"\d+", text):
            return int(text)
        return None
    return None


def _display(path: Path, root: Path) -> str:
    """The path relative to ``root`` (a repository, for SARIF), forward slashes."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def _resolve(module: _Module, value: Any, depth: int = 0) -> Any:
    """Evaluate what can be evaluated; references become ``${<absolute address>.<attr>}``."""
    if depth > _MAX_DEPTH:
        return "${unknown}"
    if isinstance(value, dict):
        return {k: _resolve(module, v, depth) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_resolve(module, v, depth) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _WHOLE.match(value)
    if whole:
        return _expression(module, whole.group(1).strip(), depth)

    def part(match: re.Match[str]) -> str:
        found = _expression(module, match.group(1).strip(), depth)
        return str(found) if isinstance(found, str | int | float | bool) else match.group(0)

    return _PART.sub(part, value)


def _expression(module: _Module, text: str, depth: int) -> Any:
    if not _SIMPLE.match(text):
        # A function call, a conditional, a for expression: unknown, but the references in it
        # are kept (absolute) for the few rules that look inside, e.g. a policy's destination.
        absolute = re.sub(
            r"(?<![\w.])(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)",
            lambda m: module.prefix + m.group(1),
            text,
        )
        return "${?" + absolute + "}"
    if text.startswith("var."):
        name = text[4:].split(".")[0].split("[")[0]
        if name in module.variables:
            return (
                _resolve(module, module.variables[name], depth + 1)
                if module.prefix == ""
                else module.variables[name]
            )
        return "${unknown}"
    if text.startswith("local."):
        name = text[6:].split(".")[0].split("[")[0]
        if name in module.locals:
            return _resolve(module, module.locals[name], depth + 1)
        return "${unknown}"
    match = re.match(r"^module\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.([A-Za-z0-9_-]+)", text)
    if match:
        child = module.children.get(match.group(1))
        if child is None or match.group(2) not in child.outputs:
            return "${unknown}"
        return _resolve(child, child.outputs[match.group(2)], depth + 1)
    if text.startswith(("each.", "count.", "path.", "terraform.", "self.", "data.")):
        return "${unknown}"
    return "${" + module.prefix + text + "}"
