"""Reading the installed ``ttnn``'s operations: a function by its dotted name, and the parameter names of
every overload of an operation (nanobind writes one ``__call__(...)`` line per overload into the
docstring of the bound function's type). Used by the emulator, the op-table contract test and the
hardware benchmark."""

from __future__ import annotations

import re


def owner_and_name(ttnn, dotted: str):
    """``(object holding it, attribute name)`` for ``"ttnn.a.b"``; raises AttributeError if absent."""
    parts = dotted.split(".")[1:]
    owner = ttnn
    for part in parts[:-1]:
        owner = getattr(owner, part)
    return owner, parts[-1]


def resolve(ttnn, dotted: str):
    """The object ``"ttnn.a.b"`` names in the module, or None."""
    try:
        owner, name = owner_and_name(ttnn, dotted)
    except AttributeError:
        return None
    return getattr(owner, name, None)


def parameter_names(op) -> set[str]:
    fn = getattr(op, "function", op)
    doc = getattr(type(fn).__call__, "__doc__", None) or ""
    names: set[str] = set()
    for line in doc.splitlines():
        if not line.startswith("__call__("):
            continue
        body = line[len("__call__("):line.rindex(") ->") if ") ->" in line else len(line)]
        names.update(m.group(1) for m in re.finditer(r"(?:^|, )\*?\*?([A-Za-z_]\w*)(?=[:,=)]|$)", body))
    return names - {"self"}
