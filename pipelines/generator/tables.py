"""Typed, format-independent rows of one contract file, as the generator hands them to the renderers.

Each column is a numpy array whose representation follows the column's kind in the contract schema:
- `text`, `code`, `codes`: object array of str, `""` when empty;
- `date`: day numbers, `month`: month numbers (see `timeline`), `NEVER` when empty;
- `int`: int64, `EMPTY_INT` when empty (every contract int is ≥ 0); `decimal`: float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.contract.codes import codes
from pipelines.contract.schema import ContractFile

EMPTY_INT = -1


@dataclass(frozen=True)
class Table:
    file: ContractFile
    columns: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        missing = set(self.file.column_names) ^ set(self.columns)
        if missing:
            raise ValueError(f"{self.file.filename}: columns {sorted(missing)} do not match the contract")
        lengths = {len(values) for values in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"{self.file.filename}: columns of different lengths {sorted(lengths)}")

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.columns.values())))

    def take(self, rows: np.ndarray) -> Table:
        return Table(self.file, {name: values[rows] for name, values in self.columns.items()})


def code_texts(code_list: str, indices: np.ndarray) -> np.ndarray:
    """Code strings for indices into a code list; -1 gives the empty string."""
    table = np.array((*codes(code_list), ""), dtype=object)
    return table[np.asarray(indices, dtype=np.int64)]
