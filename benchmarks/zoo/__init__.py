"""The model zoo: every entry of every family module, by name, and selection by name or tag."""

from .spec import ModelSpec

FAMILY_MODULES = (
    "torchvision_models",
    "timm_models",
    "transformers_models",
    "ultralytics_models",
    "small_models",
)


def all_specs():
    """{name: ModelSpec} of every model whose library imports here (a missing library drops its family)."""
    import importlib

    specs = {}
    for module_name in FAMILY_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ImportError:
            continue
        for spec in module.SPECS:
            if spec.name in specs:
                raise ValueError(f"duplicate zoo model name {spec.name!r}")
            specs[spec.name] = spec
    return specs


def select(selectors=None):
    """Models whose name or tag is in `selectors` (all when empty), in zoo order."""
    specs = all_specs()
    if not selectors:
        return list(specs.values())
    wanted = set(selectors)
    unknown = wanted - set(specs) - {t for s in specs.values() for t in s.tags} - {s.family for s in specs.values()}
    if unknown:
        raise KeyError(f"no zoo model, family or tag named {sorted(unknown)}")
    return [s for s in specs.values() if s.name in wanted or wanted & set(s.tags) or s.family in wanted]


__all__ = ["ModelSpec", "all_specs", "select"]
