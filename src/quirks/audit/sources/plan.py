"""``terraform show -json`` of a plan or a state -> :class:`TfResource` values (pure).

A plan knows most values; for the rest (ARNs of resources still to create) its ``configuration``
section names the references, which are resolved through module inputs and outputs to absolute
addresses. A state has every value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from quirks.audit.sources.terraform import inventory_from_resources
from quirks.audit.sources.values import TfResource, evaluate
from quirks.errors import UserError

if TYPE_CHECKING:
    from quirks.audit.model import Inventory

__all__ = ["inventory_from_show_json", "resources_from_show_json"]

_INSTANCE = re.compile(r"\[[^\]]*\]")
_UNRESOLVED = "${?unresolved}"  # a reference the plan cannot follow (a local): unknown, not unset


def inventory_from_show_json(document: Any, source: str) -> Inventory:
    """The inventory of a plan (``planned_values``) or a state (``values``) document."""
    if not isinstance(document, dict) or "format_version" not in document:
        raise UserError(
            f"{source} is not the output of terraform show -json",
            "run terraform show -json PLANFILE > plan.json (or without PLANFILE for the state)",
        )
    return inventory_from_resources(source, resources_from_show_json(document))


def resources_from_show_json(document: dict[str, Any]) -> list[TfResource]:
    """The managed resources of a plan or state, references resolved to absolute addresses."""
    values = document.get("planned_values") or document.get("values") or {}
    config = (document.get("configuration") or {}).get("root_module") or {}
    resources: list[TfResource] = []
    _walk(values.get("root_module") or {}, config, resources)
    return evaluate(resources)


def _module_config(
    root: dict[str, Any], module_address: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The configuration of a module instance and the chain of module calls leading to it."""
    current, calls = root, []
    for name in re.findall(r"module\.([A-Za-z0-9_-]+)", _INSTANCE.sub("", module_address)):
        call = (current.get("module_calls") or {}).get(name) or {}
        calls.append(call)
        current = call.get("module") or {}
    return current, calls


def _walk(module: dict[str, Any], root_config: dict[str, Any], out: list[TfResource]) -> None:
    address = module.get("address", "")
    config, _calls = _module_config(root_config, address)
    by_name = {
        (r.get("mode"), r.get("type"), r.get("name")): r for r in config.get("resources") or []
    }
    for resource in module.get("resources") or []:
        if resource.get("mode") != "managed":
            continue
        rc = by_name.get(("managed", resource.get("type"), resource.get("name"))) or {}
        resolver = _Resolver(root_config, address, resource.get("index"), rc)
        values = _merge(resource.get("values") or {}, rc.get("expressions") or {}, resolver)
        out.append(TfResource(resource["address"], resource["type"], values))
    for child in module.get("child_modules") or []:
        _walk(child, root_config, out)


def _merge(known: Any, expression: Any, resolver: _Resolver) -> Any:
    """Known values win; unknown ones come from the configuration's references."""
    leaf = isinstance(expression, dict) and (
        "constant_value" in expression or "references" in expression
    )
    if isinstance(known, dict) and not leaf:
        expr = expression if isinstance(expression, dict) else {}
        keys = set(known) | {k for k, e in expr.items() if isinstance(e, dict | list)}
        return {k: _merge(known.get(k), expr.get(k), resolver) for k in keys}
    if isinstance(known, list) and known and all(isinstance(k, dict) for k in known) and not leaf:
        exprs = expression if isinstance(expression, list) else []
        return [
            _merge(k, exprs[i] if i < len(exprs) else {}, resolver) for i, k in enumerate(known)
        ]
    if known is not None:
        return known
    return _configured(expression, resolver)


def _configured(expression: Any, resolver: _Resolver) -> Any:
    """A value the plan does not know, from the configuration: a constant, or a reference."""
    if isinstance(expression, list):  # a nested block only the configuration shows
        return [_merge({}, e, resolver) for e in expression]
    if isinstance(expression, dict):
        if "constant_value" in expression:
            return expression["constant_value"]
        if "references" in expression:
            return resolver.resolve(expression["references"])
        return {k: _merge(None, e, resolver) for k, e in expression.items()}
    return None


def _index(index: str | int) -> str:
    return f"[{index}]" if isinstance(index, int) else f'["{index}"]'


class _Resolver:
    """Turns a module-relative reference into ``"${<absolute address>.<attribute>}"``."""

    def __init__(
        self,
        root: dict[str, Any],
        module_address: str,
        index: str | int | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.root = root
        self.module_address = module_address
        self.index = index
        """The instance's ``for_each`` key or ``count`` index, if it has one."""
        self.for_each = ((config or {}).get("for_each_expression") or {}).get("references") or []

    def resolve(self, references: list[str], depth: int = 0) -> str:
        if not references or depth > 10:
            return _UNRESOLVED
        ref = references[0]
        prefix = self.module_address + "." if self.module_address else ""
        if ref.startswith("var."):
            return self._variable(ref[4:].split(".")[0], depth)
        if ref.startswith("module."):
            return self._output(ref, depth)
        if ref.startswith("each.value") and self.index is not None and len(self.for_each) == 1:
            # for_each = aws_x.y: each.value.arn is aws_x.y["<key>"].arn
            target = str(self.for_each[0])
            resource = target.count(".") == 1 and not _INSTANCE.search(target)
            if resource and not target.startswith(("var.", "local.", "module.", "data.")):
                return "${" + prefix + target + _index(self.index) + ref[len("each.value") :] + "}"
        if ref.startswith(("local.", "each.", "count.", "path.", "terraform.", "self.")):
            return _UNRESOLVED
        # aws_x.y[each.key].arn / aws_x.y[count.index].arn: the same key's instance
        keyed = {"each.key", "count.index"} & set(references[1:])
        if self.index is not None and keyed and not _INSTANCE.search(ref) and ref.count(".") == 1:
            return "${" + prefix + ref + _index(self.index) + "}"
        return "${" + prefix + ref + "}"

    def _variable(self, name: str, depth: int) -> str:
        if not self.module_address:
            return _UNRESOLVED
        _config, calls = _module_config(self.root, self.module_address)
        expression = ((calls[-1] if calls else {}).get("expressions") or {}).get(name) or {}
        parent = (
            self.module_address.rsplit(".module.", 1)[0]
            if ".module." in self.module_address
            else ""
        )
        if "references" in expression:
            return _Resolver(self.root, parent).resolve(expression["references"], depth + 1)
        constant = expression.get("constant_value")
        return constant if isinstance(constant, str) else _UNRESOLVED

    def _output(self, ref: str, depth: int) -> str:
        match = re.match(r"(module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?)\.([A-Za-z0-9_-]+)", ref)
        if not match:
            return _UNRESOLVED
        prefix = self.module_address + "." if self.module_address else ""
        child = prefix + match.group(1)
        config, _calls = _module_config(self.root, child)
        output = (config.get("outputs") or {}).get(match.group(2)) or {}
        references = (output.get("expression") or {}).get("references") or []
        return _Resolver(self.root, child).resolve(references, depth + 1)
