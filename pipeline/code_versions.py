"""Code versions from the code: an asset's `code_version` is a short sha256 of the source of the
function it runs and of the project code that function uses (the functions and classes of
`pipeline`, `assets` and `schemas` it names, directly or through them, and the immutable constants
of those modules it names). A changed transformation changes the versions of the assets that run it,
and Dagster marks them stale by itself; a change elsewhere leaves them as they are. The asset checks
of this code location are check specs of their asset and run in its function: they carry its version.

The version depends on source text only, so two imports (any process, any hash seed) give the same.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import sys
import types
from collections.abc import Callable, Iterable

PROJECT_PACKAGES = ("pipeline", "assets", "schemas")
LENGTH = 12  # hexadecimal characters of the sha256
SIMPLE = (str, int, float, bool, type(None), bytes)


def code_version(*functions: Callable) -> str:
    """The code version of `functions` and of the project code they use."""
    digest = hashlib.sha256()
    for name, text in sorted(sources(*functions).items()):
        digest.update(f"{name}\n{text}\n".encode())
    return digest.hexdigest()[:LENGTH]


def describe(version: str | None) -> str | None:
    """What a code version is, for the reviewed lineage snapshot: a version made here is named by its
    origin (its value changes with every change of the code), any other by its value."""
    if version and len(version) == LENGTH and all(c in "0123456789abcdef" for c in version):
        return "sha256 of its code"
    return version


def sources(*functions: Callable) -> dict[str, str]:
    """Qualified name -> source text of `functions` and of every project function, class and plain
    constant they use, followed through the functions and classes found."""
    found: dict[str, str] = {}
    pending: list[object] = list(functions)
    while pending:
        item = inspect.unwrap(pending.pop())
        name = f"{item.__module__}.{item.__qualname__}"
        if name in found:
            continue
        found[name] = _source(item)
        for used_name, used in _used(item):
            if _is_project_code(used):
                pending.append(used)
            elif (constant := _constant(used)) is not None and used_name:
                found.setdefault(used_name, constant)
    return found


@functools.cache  # the text of a function or class does not change while it lives (what it names may)
def _source(item: object) -> str:
    try:
        return inspect.getsource(item)
    except (OSError, TypeError):  # made at run time (no file line to read): its name stands for it
        return f"<no source: {item.__module__}.{item.__qualname__}>"


def _is_project_code(item: object) -> bool:
    if not isinstance(item, types.FunctionType | type):
        return False
    module = sys.modules.get(getattr(item, "__module__", ""))
    if module is None or module.__name__.split(".")[0] not in PROJECT_PACKAGES:
        return False
    # a function written in its module's file (not one a dataclass makes for its class: the class stands for it)
    return isinstance(item, type) or item.__code__.co_filename == getattr(module, "__file__", None)


def _is_project_module(item: object) -> bool:
    return isinstance(item, types.ModuleType) and item.__name__.split(".")[0] in PROJECT_PACKAGES


def _used(item: object) -> Iterable[tuple[str, object]]:
    """(qualified name or '', object) of what a function or class names: its globals, the attributes
    it reads of project modules, the values it closes over; for a class, what its methods name."""
    if isinstance(item, type):
        for member in vars(item).values():
            member = member.__func__ if isinstance(member, classmethod | staticmethod) else member
            if isinstance(member, types.FunctionType):
                yield "", member
        return
    if not isinstance(item, types.FunctionType):
        return
    names = set(_names(item.__code__))
    module_name = item.__module__
    for name in sorted(names):
        if name not in item.__globals__ or name.startswith("__"):  # a module's __name__, __path__, __file__
            continue
        value = item.__globals__[name]
        yield f"{module_name}.{name}", value
        if _is_project_module(value):  # `module.helper(...)`: the attributes it reads of that module
            for attribute in sorted(names):
                if attribute in vars(value) and not attribute.startswith("__"):
                    yield f"{value.__name__}.{attribute}", vars(value)[attribute]
    for cell in item.__closure__ or ():
        try:
            yield "", cell.cell_contents
        except ValueError:  # an empty cell (a name bound after the function was made)
            continue


def _names(code: types.CodeType) -> Iterable[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def _constant(value: object) -> str | None:
    """An immutable constant (text, a number, or a tuple or frozenset of those) as stable text; None
    for anything else: a module's list, dict or set may be a cache filled at run time, and its
    content must not make the version depend on what ran before."""
    if isinstance(value, SIMPLE):
        return repr(value)
    if type(value) is tuple:  # a plain tuple (a named tuple's class may refuse iteration, as Dagster's records do)
        items = [_constant(v) for v in value]
        return None if None in items else f"tuple({', '.join(items)})"
    if isinstance(value, frozenset):  # sorted: a set's order depends on the hash seed
        items = [_constant(v) for v in value]
        return None if None in items else f"frozenset({', '.join(sorted(items))})"
    return None


def with_code_versions(assets: list) -> list:
    """Every asset of `assets` that runs a function gets the code version of that function."""
    import dagster as dg

    versioned = []
    for asset in assets:
        function = (
            getattr(getattr(asset, "op", None), "compute_fn", None) if isinstance(asset, dg.AssetsDefinition) else None
        )
        function = getattr(function, "decorated_fn", None)
        if function is None:
            versioned.append(asset)
            continue
        version = code_version(function)
        versioned.append(
            asset.map_asset_specs(lambda spec, version=version: spec.replace_attributes(code_version=version))
        )
    return versioned
