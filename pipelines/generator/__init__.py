"""The demo data generator behind `kim generate`: realistic, contract-conformant packages for all 54 units.

It simulates each unit from the start of KIM (staff, cases, events, steering, funds, Baustein 3) with its own
random streams, writes what the unit would have delivered per quarter in the unit's own physical format, and
records the simulation's truth in `ground_truth.json` next to the landing zone.
"""

from pipelines.generator.errors import GeneratorError
from pipelines.generator.run import MARKER_FILENAME, generate
from pipelines.generator.summary import GenerationSummary

__all__ = ["MARKER_FILENAME", "GenerationSummary", "GeneratorError", "generate"]
