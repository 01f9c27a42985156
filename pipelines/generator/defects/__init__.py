"""The defect corpus of `kim generate --defects`: flawed packages of every kind next to a clean landing zone.

See `corpus.py` for how defects are placed and `catalogue.py` for the kinds; `defects.json` describes what the
pipeline must make of each of them.
"""

from pipelines.generator.defects.catalogue import DEFECT_KINDS
from pipelines.generator.defects.corpus import DEFECTS_FILENAME, DefectCorpus, write_defect_corpus

__all__ = ["DEFECTS_FILENAME", "DEFECT_KINDS", "DefectCorpus", "write_defect_corpus"]
