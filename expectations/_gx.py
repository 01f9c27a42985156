"""The one place Great Expectations is imported, always lazily (and `expectations.screening`, which needs it).

Importing GX costs several seconds and, unless switched off before the import, tries to send usage statistics
(which stalls offline). Nothing that the Dagster definitions import at load time may import GX at module level:
suite modules and the validator call `gx()` / `gxe()` inside their functions instead.
"""

from __future__ import annotations

import os
from types import ModuleType


def gx() -> ModuleType:
    """The `great_expectations` package, imported with analytics switched off."""
    # Forced rather than defaulted: an analytics call is never wanted here and hangs without internet.
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations

    return great_expectations


def gxe() -> ModuleType:
    """`great_expectations.expectations` (the expectation classes)."""
    gx()
    import great_expectations.expectations as expectations

    return expectations


def row_column(name: str):
    """`great_expectations.expectations.row_conditions.Column(name)`, for row conditions built in code."""
    gx()
    from great_expectations.expectations.row_conditions import Column

    return Column(name)


def screening() -> ModuleType:
    """`expectations.screening`, the custom screening expectation (it subclasses GX classes)."""
    gx()
    from expectations import screening as module

    return module
