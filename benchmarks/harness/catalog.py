"""Where model specs come from: the zoo (`benchmarks.zoo`), or another module / .py file with a SPECS list.

A spec file lets the harness be exercised before, or apart from, the zoo's family modules (the tests use
one). Selection follows `benchmarks.zoo.select`: by name, tag or family; all when no selector is given.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path


def load(source=None):
    """{name: ModelSpec}: the zoo when `source` is None, else the SPECS of a module name or a .py path."""
    if source is None:
        from benchmarks import zoo

        return zoo.all_specs()
    return {spec.name: spec for spec in _module(source).SPECS}


def select(selectors, source=None):
    if source is None:
        from benchmarks import zoo

        return zoo.select(selectors)
    specs = load(source)
    if not selectors:
        return list(specs.values())
    wanted = set(selectors)
    known = set(specs) | {t for s in specs.values() for t in s.tags} | {s.family for s in specs.values()}
    if wanted - known:
        raise KeyError(f"no model, family or tag named {sorted(wanted - known)} in {source}")
    return [s for s in specs.values() if s.name in wanted or wanted & set(s.tags) or s.family in wanted]


def origin(spec, source=None):
    """The smallest source a child process can load `spec` from: its zoo family module (importing one
    family instead of all saves the other libraries' import time in every child), else `source`."""
    if source is not None:
        return source
    from benchmarks import zoo

    for family in zoo.FAMILY_MODULES:
        module = sys.modules.get(f"{zoo.__name__}.{family}")
        if module is not None and any(s is spec for s in module.SPECS):
            return module.__name__
    return None


def find(name, source=None):
    specs = load(source)
    if name not in specs:
        raise KeyError(f"no model named {name!r} in {source or 'the zoo'}")
    return specs[name]


def _module(source):
    if source.endswith(".py"):
        path = Path(source).resolve()
        module_name = f"_zoo_specs_{path.stem}"
        if module_name not in sys.modules:
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        return sys.modules[module_name]
    return importlib.import_module(source)
