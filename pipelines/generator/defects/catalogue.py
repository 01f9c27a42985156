"""Every kind of defect in the corpus, in the order the corpus assigns partitions to them.

Kinds that need a particular shape or encoding come first, so that the few partitions that can host them are
still free when they are placed.
"""

from __future__ import annotations

from pipelines.generator.defects.case_rule_kinds import CASE_RULE_KINDS
from pipelines.generator.defects.file_kinds import FILE_KINDS
from pipelines.generator.defects.model import DefectKind
from pipelines.generator.defects.package_kinds import PACKAGE_KINDS
from pipelines.generator.defects.row_kinds import ROW_KINDS
from pipelines.generator.defects.unit_rule_kinds import UNIT_RULE_KINDS

DEFECT_KINDS: tuple[DefectKind, ...] = (
    *PACKAGE_KINDS,
    *FILE_KINDS,
    *ROW_KINDS,
    *CASE_RULE_KINDS,
    *UNIT_RULE_KINDS,
)

_ids = [kind.id for kind in DEFECT_KINDS]
if len(set(_ids)) != len(_ids):
    raise ValueError(f"defect ids are not unique: {sorted(i for i in _ids if _ids.count(i) > 1)}")
