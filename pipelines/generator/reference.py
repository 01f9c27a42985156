"""The 54 KIM units and their Gemeinden, for the simulation.

The reference data belongs to the contract (the pipeline checks `gemeinde_ags` against it), so it lives in
`pipelines.contract.units`; this module keeps the generator's historical import path working.
"""

from __future__ import annotations

from pipelines.contract.units import KREIS_TYPES, Unit, load_units

__all__ = ["KREIS_TYPES", "Unit", "load_units"]
