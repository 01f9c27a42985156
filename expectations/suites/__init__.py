"""The contract suites: one module per contract file, in contract order (`faelle` first: events refer to it).

Each module declares `FILE` (its `ContractFile`), `HELPERS` (the helper columns it derives, documented),
`add_helper_columns(frame, context)` and `expectations()` (the GX expectations with their `meta`); its
docstring maps every rule of DATA_CONTRACT.md section 2 to the expectation that checks it. A suite whose
helpers cost per package (`ereignisse`: matching events with their package's cases) also declares
`add_helper_columns_batch(frames, contexts)`, the same for many packages at once.
"""

from __future__ import annotations

from types import ModuleType

from expectations._gx import gx
from expectations.suites import (
    aufenthalt,
    ereignisse,
    faelle,
    finanzen,
    lenkungsgruppe,
    personal,
    strukturthemen,
)
from expectations.suites.common import suite_name

SUITE_MODULES: dict[str, ModuleType] = {
    module.FILE.name: module
    for module in (faelle, ereignisse, personal, finanzen, strukturthemen, lenkungsgruppe, aufenthalt)
}


def build_suite(name: str, expectations: list | None = None):
    """The `gx.ExpectationSuite` of contract file `name` (all its expectations unless given)."""
    module = SUITE_MODULES[name]
    return gx().ExpectationSuite(
        name=suite_name(module.FILE),
        expectations=module.expectations() if expectations is None else expectations,
    )
