"""Validation of one package's typed valid rows against the contract suites, with German row findings.

`validate_package` is what the pipeline (and the upload page) calls after the reader has typed every cell.
Per delivered contract file it adds the suite's helper columns and validates the suite on a pandas batch, in
two passes over one GX validator (the batch is loaded once):
1. screening: one `ExpectRulesToHold` (`expectations.screening`) asks GX for the metrics that decide every
   expectation of the suite and reports which fail. GX's fixed cost per expectation (about 6 ms, whatever the
   frame) made validating the 237 expectations one by one cost 1.5 s per package; a clean file is now one
   expectation and stops here.
2. the failing expectations as themselves, with COMPLETE results and
   `unexpected_index_column_names=["zeile"]`, so every failing row is found. Each failing row of each
   expectation becomes a finding named by the expectation's `meta`: file, line, column, rule, outcome and the
   German message filled from its template.
Suites are validated with GX's `Validator` (what `Batch.validate` uses) rather than a `ValidationDefinition`,
which would also store every result in the context's store, which nothing here reads. The suites'
expectations are built once per process and never handed to GX themselves (only their configurations); the
GX context is kept per thread (`_Session`).

Files are validated in contract order; `faelle` comes first because an event may only refer to a case that
passed it (or to a case of an earlier package).

Defects of the reader's output (a column missing or not of its contract dtype) are reported for every row of
the file (`PFLICHTFELD` / `TYP_SPALTE`), which rejects the package by the 10 % rule; expectations that need
such a column are not evaluated (they count as failed), so a reader defect never turns into nonsense findings.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from types import ModuleType
from typing import Any

import pandas as pd
import pyarrow as pa

from expectations._gx import gx, screening
from expectations.messages import format_value, package_fields, render, template_fields
from expectations.suites import SUITE_MODULES
from expectations.suites.common import DTYPES, PACKAGE, PANDAS_TYPES, SuiteContext
from pipelines.calendar import Quarter
from pipelines.contract.findings import Outcome, format_count
from pipelines.contract.schema import ContractFile

FINDING_COLUMNS = ("datei", "zeile", "spalte", "regel", "meldung", "ergebnis")
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["_paket", "zeile"]}
# The screen reports which rules fail in its `observed_value`, which BOOLEAN_ONLY would drop.
SCREENING_FORMAT = {"result_format": "BASIC"}
NUMBER = "nr"  # meta key the validator adds to an expectation screened alone: its position in the run
# Expectations that check a column itself rather than its values (presence, dtype).
_COLUMN_CHECKS = {"ExpectColumnToExist", "ExpectColumnTypeToBe"}


def _no_cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fall_id": pd.Series([], dtype=DTYPES["text"]),
            "aufnahme_am": pd.Series([], dtype=pd.ArrowDtype(pa.date32())),
        }
    )


@dataclass(frozen=True)
class ValidationParameters:
    """The package facts the suites need besides its rows."""

    ags: str
    berichtsquartal: str  # '2025-Q3'
    gemeinden: frozenset[str]  # 8-digit AGS of the Gemeinden the unit serves
    # `fall_id`, `aufnahme_am` (date) of the cases of earlier packages of the unit; may be empty.
    known_cases: pd.DataFrame = field(default_factory=_no_cases)


@dataclass(frozen=True)
class SuiteResult:
    """How one contract file fared in its suite."""

    datei: str  # 'faelle.csv'
    expectations: int
    failed_expectations: int
    rows_checked: int
    rows_quarantined: int
    notices: int


@dataclass(frozen=True)
class ValidationOutcome:
    """Every row finding of the package and how each file fared."""

    # datei, zeile (Int64), spalte, regel, meldung, ergebnis — one row per violated rule per row.
    findings: pd.DataFrame
    suites: tuple[SuiteResult, ...]


def validate_package(frames: dict[str, pd.DataFrame], parameters: ValidationParameters) -> ValidationOutcome:
    """Run the suite of every delivered contract file on its typed valid rows.

    `frames` maps contract names (`faelle`, `ereignisse`, …) to the rows the reader kept, with `zeile` and
    the contract columns in their staged dtypes; files not delivered are absent.
    """
    return validate_packages([(frames, parameters)])[0]


def validate_packages(
    batch: list[tuple[dict[str, pd.DataFrame], ValidationParameters]],
) -> list[ValidationOutcome]:
    """Validate many packages of one reporting quarter together: one GX validation per contract file.

    The rows of all packages that delivered a file are validated as one frame, each row keyed by its
    package's position in `batch` (helper `_paket`); the rules that hold per package (uniqueness, the unit's
    Gemeinden) key on it, and helper columns that depend on the package (known cases, duplicate lines) are
    derived per package. GX's cost per file and expectation is thus paid once per batch instead of once per
    package. Each package gets exactly the findings and suite results a validation of it alone gives.
    """
    if not batch:
        return []
    quarters = {parameters.berichtsquartal for _, parameters in batch}
    if len(quarters) != 1:
        raise ValueError(f"a batch holds packages of one quarter, not {sorted(quarters)}")
    for frames, _ in batch:
        unknown = sorted(set(frames) - set(SUITE_MODULES))
        if unknown:
            raise ValueError(f"no contract file is called {unknown}")
    quarter = Quarter.parse(quarters.pop())
    run = _PackageRun(
        session=_session(),
        suite_parameters={
            "quartalsbeginn": quarter.start,
            "quartalsende": quarter.end,
            "berichtsjahr": quarter.year,
            "gemeinden": sorted(
                f"{paket}:{gemeinde}"
                for paket, (_, parameters) in enumerate(batch)
                for gemeinde in parameters.gemeinden
            ),
        },
        message_fields=package_fields(quarter),
    )
    contexts = [
        SuiteContext(quarter=quarter, paket=paket, known_cases=parameters.known_cases)
        for paket, (_, parameters) in enumerate(batch)
    ]
    findings: list[list[pd.DataFrame]] = [[] for _ in batch]
    suites: list[list[SuiteResult]] = [[] for _ in batch]
    for name, module in SUITE_MODULES.items():
        delivered = {paket: frames[name] for paket, (frames, _) in enumerate(batch) if name in frames}
        for group in _same_columns(delivered):
            outcomes = run.validate_file(module, group, {paket: contexts[paket] for paket in group})
            for paket, (file_findings, result) in outcomes.items():
                findings[paket].append(file_findings)
                suites[paket].append(result)
        if name == "faelle":
            for paket, frame in delivered.items():
                own = findings[paket][-1]
                quarantined = own.loc[own["ergebnis"] == str(Outcome.ROW_QUARANTINED), "zeile"]
                contexts[paket] = replace(
                    contexts[paket], faelle=frame, faelle_quarantined=frozenset(int(z) for z in quarantined)
                )
    return [
        ValidationOutcome(findings=_findings_frame(findings[paket]), suites=tuple(suites[paket]))
        for paket in range(len(batch))
    ]


def _same_columns(delivered: dict[int, pd.DataFrame]) -> list[dict[int, pd.DataFrame]]:
    """The packages' frames in groups of identical columns and dtypes, each validated as one frame.

    The reader stages every file with the contract's columns and dtypes, so there is one group; a frame that
    differs (a reader defect, reported for every row of its file) is validated on its own.
    """
    groups: dict[tuple, dict[int, pd.DataFrame]] = {}
    for paket, frame in delivered.items():
        signature = tuple((column, str(dtype)) for column, dtype in frame.dtypes.items())
        groups.setdefault(signature, {})[paket] = frame
    return list(groups.values())


class _Session:
    """One ephemeral GX context with a pandas data source and one data asset per contract file.

    Made once per thread and kept for the thread's life: creating the context and adding the seven assets
    (each addition serialises the context's configuration) cost about 50 ms of CPU per package. Per thread,
    because GX's contexts, sources and execution engines are not made to be shared between threads (the
    upload page validates in the threads of its sessions). Each asset's execution engine keeps the last frame
    validated on it until the next one replaces it.
    """

    def __init__(self) -> None:
        great_expectations = gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = great_expectations.get_context(mode="ephemeral")
        # GX draws tqdm bars on stderr for every metric batch; in a pipeline log they are noise.
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.source = self.context.data_sources.add_pandas("kim_paket")
        self._batch_definitions: dict[str, Any] = {}

    def validator(self, name: str, frame: pd.DataFrame) -> Any:
        """A validator of `frame` as the batch of contract file `name`, for both passes.

        `Batch.validate` loads (and fingerprints, hashing every cell) the batch again on every call; one
        validator per file loads it once. It is the validator `Batch.validate` itself uses.
        """
        from great_expectations.validator.v1_validator import Validator

        definition = self._batch_definitions.get(name)
        if definition is None:
            definition = self.source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("zeilen")
            self._batch_definitions[name] = definition
        return Validator(batch_definition=definition, batch_parameters={"dataframe": frame})


_THREAD = threading.local()


def _session() -> _Session:
    session = getattr(_THREAD, "session", None)
    if session is None:
        session = _THREAD.session = _Session()
    return session


@cache
def _members(name: str) -> tuple:
    """The suite of contract file `name` as the screen sees it, built once per process.

    The expectations are static (what differs per package comes as suite parameters) and are never handed to
    GX themselves, only their configurations, so they are never changed and may be shared between threads.
    """
    return screening().members(SUITE_MODULES[name].expectations(), _referenced_columns)


@dataclass
class _PackageRun:
    """The validation of one package: its suite parameters and message fields, and the thread's session."""

    session: _Session
    suite_parameters: dict[str, Any]
    message_fields: dict[str, str]

    def validate_file(
        self, module: ModuleType, delivered: dict[int, pd.DataFrame], contexts: dict[int, SuiteContext]
    ) -> dict[int, tuple[pd.DataFrame, SuiteResult]]:
        """One contract file of many packages (same columns), validated as one frame; results per package."""
        file: ContractFile = module.FILE
        frames = {paket: _contract_frame(rows, file) for paket, rows in delivered.items()}
        batch_helpers = getattr(module, "add_helper_columns_batch", None)
        if batch_helpers is not None:  # the suite derives its helpers for all packages at once
            augmented = batch_helpers(frames, contexts)
        else:
            augmented = pd.concat(
                [module.add_helper_columns(frame, contexts[paket]) for paket, frame in frames.items()],
                ignore_index=True,
            )
        columns = set(next(iter(frames.values())).columns)
        members = _members(file.name)
        present = set(augmented.columns)
        evaluable = [m for m in members if _is_evaluable(m, present)]
        validator = self.session.validator(file.name, augmented)

        # The screen decides which expectations fail; only those are run again for their failing rows.
        failing = self._screen(validator, file, evaluable, _sound_columns(augmented, file, module))
        # Columns the reader delivered wrongly (missing, or not of their contract dtype): they are reported
        # for every row, and the other expectations on them are not evaluated (their verdict would be noise).
        defective = {name for name in file.column_names if name not in columns}
        defective |= {m.expectation.column for m in failing if _kind(m) == "ExpectColumnTypeToBe"}
        detailing = [m for m in failing if _is_column_check(m) or not (m.columns & defective)]
        detailed = self._run(validator, file.name, detailing, RESULT_FORMAT) if detailing else []

        messages = _Messages(file, module, augmented, self.message_fields)
        rows: list[pd.DataFrame] = []
        undetailed = len(members) - len(evaluable) + len(failing) - len(detailing)
        failed = dict.fromkeys(frames, undetailed)
        for result in detailed:
            if result.success:  # the screen and the expectation disagree: a defect of the screen
                raise RuntimeError(
                    f"{file.filename}: {result.expectation_config.type} failed its screening but passes"
                )
            config = result.expectation_config
            problem = _exception_message(result)
            if problem is not None:
                raise RuntimeError(
                    f"{file.filename}: expectation {config.type} {config.kwargs} raised {problem}"
                )
            keys = _failing_keys(result.result, augmented)
            # A column-level failure concerns every package of the frame; a value rule those with rows.
            concerned = (
                frames if "unexpected_index_list" not in result.result else {paket for paket, _ in keys}
            )
            for paket in concerned:
                failed[paket] += 1
            rows.append(messages.findings(config.meta, keys, _result_fields(result.result)))
        # Each package's findings, split once (most packages of a quarter have none).
        by_package = (
            dict(tuple(pd.concat(rows, ignore_index=True).groupby(PACKAGE.name, sort=False))) if rows else {}
        )
        outcomes = {}
        for paket, frame in frames.items():
            findings = _findings_frame([by_package[paket]] if paket in by_package else [])
            quarantined = findings.loc[findings["ergebnis"] == str(Outcome.ROW_QUARANTINED), "zeile"]
            outcomes[paket] = (
                findings,
                SuiteResult(
                    datei=file.filename,
                    expectations=len(members),
                    failed_expectations=failed[paket],
                    rows_checked=len(frame),
                    rows_quarantined=int(quarantined.nunique()),
                    notices=int((findings["ergebnis"] == str(Outcome.NOTICE)).sum()),
                ),
            )
        return outcomes

    def _screen(self, validator: Any, file: ContractFile, evaluable: list, sound: set[str]) -> list:
        """The evaluable members that fail: those the screen reports, and those screened alone that fail."""
        return self._run_screen(validator, file, screening().screen(evaluable, sound, self.suite_parameters))

    def _run_screen(self, validator: Any, file: ContractFile, screen: Any) -> list:
        configs = [screen.expectation.configuration]
        for number, member in enumerate(screen.single):
            config = member.expectation.configuration
            # Results come back in GX's own order; the number finds each one's member again.
            config.meta = {**config.meta, NUMBER: number}
            configs.append(config)
        failing = []
        for result in self._validate(validator, file.name, configs, SCREENING_FORMAT):
            meta = result.expectation_config.meta or {}
            if NUMBER in meta:
                if not result.success:  # an exception, too: it is raised when the member is detailed
                    failing.append(screen.single[meta[NUMBER]])
                continue
            problem = _exception_message(result)
            if problem is not None:  # the rules' own columns are sound: GX itself failed
                raise RuntimeError(f"{file.filename}: the screening of the suite raised {problem}")
            if not result.success:
                failing += screen.failing(result.result["observed_value"])
        return failing

    def _run(self, validator: Any, name: str, members: list, result_format: dict) -> list:
        """Validate `members`; the results, in no particular order."""
        configs = [member.expectation.configuration for member in members]
        return self._validate(validator, name, configs, result_format)

    def _validate(self, validator: Any, name: str, configs: list, result_format: dict) -> list:
        suite = gx().ExpectationSuite(name=f"kim_{name}_{len(configs)}", expectations=configs)
        validator.result_format = result_format
        run = validator.validate_expectation_suite(suite, expectation_parameters=self.suite_parameters)
        return list(run.results)


def _contract_frame(delivered: pd.DataFrame, file: ContractFile) -> pd.DataFrame:
    """`zeile` and the contract columns as delivered (extra columns dropped, nothing converted)."""
    if "zeile" not in delivered.columns:
        raise ValueError(f"{file.filename}: the rows carry no `zeile`")
    if delivered["zeile"].isna().any() or delivered["zeile"].duplicated().any():
        raise ValueError(f"{file.filename}: `zeile` must be given and unique")
    columns = ["zeile", *(name for name in file.column_names if name in delivered.columns)]
    if list(delivered.columns) == columns and delivered.index.equals(pd.RangeIndex(len(delivered))):
        return delivered  # already so (the pipeline's frames): frames are never changed in place
    return delivered[columns].reset_index(drop=True)


def _kind(member: Any) -> str:
    return type(member.expectation).__name__


def _is_column_check(member: Any) -> bool:
    return _kind(member) in _COLUMN_CHECKS


def _is_evaluable(member: Any, present: set[str]) -> bool:
    """Whether GX can evaluate it: every column it reads exists (a missing one is reported by its presence
    check, which always runs; the dtype check of a missing column cannot)."""
    return _kind(member) == "ExpectColumnToExist" or member.columns <= present


def _sound_columns(augmented: pd.DataFrame, file: ContractFile, module: ModuleType) -> set[str]:
    """The columns of their contract dtype, and the helper columns (derived by the suite in their dtype)."""
    sound = {
        column.name
        for column in file.columns
        if column.name in augmented.columns and str(augmented[column.name].dtype) == PANDAS_TYPES[column.kind]
    }
    return sound | {helper.name for helper in module.HELPERS}


def _referenced_columns(config: Any) -> set[str]:
    """Every column an expectation reads: its column(s) and those of its row condition."""
    kwargs = config.kwargs
    names = {kwargs[key] for key in ("column", "column_A", "column_B") if kwargs.get(key)}
    names.update(kwargs.get("column_list") or [])
    names |= _condition_columns(kwargs.get("row_condition"))
    return names


def _condition_columns(condition: Any) -> set[str]:
    if condition is None or isinstance(condition, str):
        return set()
    if hasattr(condition, "dict"):
        condition = condition.dict()
    names = set()
    if isinstance(condition, dict):
        column = condition.get("column")
        if isinstance(column, dict) and column.get("name"):
            names.add(column["name"])
        for part in condition.get("conditions") or []:
            names |= _condition_columns(part)
    return names


def _exception_message(result: Any) -> str | None:
    """What GX raised while validating an expectation, or None.

    GX reports an exception of the expectation itself as `exception_info` with `raised_exception`, and one of
    a metric it needed as `exception_info` with an entry of that shape per failed metric.
    """
    info = result.exception_info or {}
    entries = [info, *(value for value in info.values() if isinstance(value, dict))]
    messages = [str(entry.get("exception_message")) for entry in entries if entry.get("raised_exception")]
    return "; ".join(messages) if messages else None


def _failing_keys(result: dict, augmented: pd.DataFrame) -> list[tuple[int, int]]:
    """(`_paket`, `zeile`) of every row an expectation rejected; all rows for a table-level expectation."""
    if "unexpected_index_list" not in result:
        return list(zip(augmented[PACKAGE.name].tolist(), augmented["zeile"].tolist(), strict=True))
    keys = [(int(entry[PACKAGE.name]), int(entry["zeile"])) for entry in result["unexpected_index_list"]]
    if result.get("unexpected_count") is not None and result["unexpected_count"] != len(keys):
        raise RuntimeError("GX reported fewer failing rows than it counted; result_format must be COMPLETE")
    return keys


def _result_fields(result: dict) -> dict[str, str]:
    """Message fields taken from the expectation's result (the observed type of a column)."""
    observed = result.get("observed_value")
    return {"beobachteter_typ": str(observed)} if observed is not None else {"beobachteter_typ": "unbekannt"}


class _Messages:
    """The German messages of one file's findings, filled from the validated (augmented) frame."""

    def __init__(
        self, file: ContractFile, module: ModuleType, augmented: pd.DataFrame, fields: dict[str, str]
    ) -> None:
        self.file = file
        self.rows = augmented.set_index([PACKAGE.name, "zeile"], drop=False)
        self.fields = fields
        self.kinds = {column.name: _message_kind(column.name, column.kind) for column in file.columns}
        self.kinds.update({helper.name: helper.kind for helper in module.HELPERS})
        self.kinds["zeile"] = "plain"

    def findings(
        self, meta: dict, keys: list[tuple[int, int]], result_fields: dict[str, str]
    ) -> pd.DataFrame:
        """One finding per (`_paket`, `zeile`) in `keys`, with the package's position in column `_paket`."""
        template = meta["meldung"]
        column = meta["spalte"]
        wanted = [name for name in {column, *template_fields(template)} if name in self.rows.columns]
        values = self.rows.loc[keys, wanted].to_dict("records") if keys else []
        lines = [line for _, line in keys]
        messages = []
        for line, row in zip(lines, values, strict=True):
            filled = {name: format_value(value, self.kinds[name]) for name, value in row.items()}
            filled["wert"] = filled.get(column, "leer")
            body = render(template, {**self.fields, **result_fields, **filled})
            messages.append(f"{self.file.filename}, Zeile {format_count(line)}, Spalte „{column}“: {body}")
        return pd.DataFrame(
            {
                PACKAGE.name: [paket for paket, _ in keys],
                "datei": self.file.filename,
                "zeile": lines,
                "spalte": column,
                "regel": meta["regel"],
                "meldung": messages,
                "ergebnis": meta["ergebnis"],
            },
            columns=[PACKAGE.name, *FINDING_COLUMNS],
        )


def _message_kind(name: str, kind: str) -> str:
    return "euro" if kind == "decimal" and name.endswith("_eur") else kind


# The findings of a clean file or package, shared: findings frames are never modified in place.
_NO_FINDINGS = pd.DataFrame(
    {name: pd.Series([], dtype="Int64" if name == "zeile" else "str") for name in FINDING_COLUMNS}
)


def _findings_frame(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Findings in one frame: one per row, column and rule, ordered by file, line, column, rule."""
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return _NO_FINDINGS
    findings = pd.concat(frames, ignore_index=True).drop_duplicates(
        subset=["datei", "zeile", "spalte", "regel"], keep="first"
    )
    order = {name: position for position, name in enumerate(SUITE_MODULES)}
    column_order = {
        (module.FILE.filename, column): position
        for module in SUITE_MODULES.values()
        for position, column in enumerate(module.FILE.column_names)
    }
    findings = findings.assign(
        _datei=findings["datei"].map(lambda name: order[name.removesuffix(".csv")]),
        _spalte=[
            column_order.get(key, -1) for key in zip(findings["datei"], findings["spalte"], strict=True)
        ],
    ).sort_values(["_datei", "zeile", "_spalte", "regel"], kind="stable")
    return pd.DataFrame(
        {
            name: pd.array(findings[name].tolist(), dtype="Int64" if name == "zeile" else "str")
            for name in FINDING_COLUMNS
        }
    )
