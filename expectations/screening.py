"""Screening: every rule of a file in one GX expectation, so a clean file costs one expectation, not sixty.

GX spends about 6 ms per expectation of a suite however small the frame: it rebuilds each expectation's
configuration from its pydantic model dozens of times, derives the metric kwargs for every metric of every
expectation, and builds a result per expectation. With 237 expectations per package that was 1.5 s of CPU for
every package, and most packages break no rule. Validating a file therefore starts with one
`ExpectRulesToHold`: it asks GX for exactly the metrics that decide the suite's expectations and reports which
of them fail; only those are then validated as themselves, with COMPLETE results, for their rows
(`expectations.validate`).

What the screen asks for, per expectation of the suite (its "rule"):
- a map expectation (column, column pair, multicolumn) with `mostly` = 1: its
  `<map_metric>.unexpected_count`, with the domain and value kwargs GX itself derives from the expectation's
  configuration (`get_metric_kwargs`, suite parameters substituted), computed by GX's own metric
  implementations. Such an expectation succeeds exactly when that count is 0: with `mostly` = 1 GX's success
  ratio is 1 only without unexpected rows, and its "vacuously true" cases (no rows, no non-null rows, no rows
  left by `ignore_row_if`) have none;
- `ExpectColumnToExist` without `column_index`: the column is in `table.columns`;
- `ExpectColumnTypeToBe` with a type name: the column's dtype from `table.column_types`, compared with the
  name by the expectation's own pandas comparison (`_validate_pandas`, which is not simply string equality:
  `str` and `string` columns differ, the storage of a string column does not count).
Any other expectation, and any expectation reading a column that is not of its contract dtype (whose metrics
could raise, which would make the whole screen fail without saying which rule), is screened as itself.
`tests/expectations/test_screening.py` compares the screen's verdicts with those of the expectations
validated as themselves.

The screen is a plain GX expectation of the screening run: a clean file's validation is one expectation
result, `success` True. Its `observed_value` names what fails by position in its three lists:
`{"columns": [...], "column_types": [...], "unexpected_counts": [...]}`.

This module subclasses GX classes, so it imports GX; it is imported through `expectations._gx.screening()`,
and switches GX's analytics off first however it is reached.
"""

# ruff: noqa: E402 (GX is imported after `gx()` has switched its analytics off)
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from expectations._gx import gx

gx()

from great_expectations.compatibility import pydantic
from great_expectations.core.metric_function_types import SummarizationMetricNameSuffixes
from great_expectations.expectations.core import ExpectColumnTypeToBe
from great_expectations.expectations.expectation import (
    BatchExpectation,
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.registry import get_metric_kwargs
from great_expectations.validator.metric_configuration import MetricConfiguration

_MAP_EXPECTATIONS = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
_UNEXPECTED_COUNT = SummarizationMetricNameSuffixes.UNEXPECTED_COUNT.value
# The whole-table domain, spelt as GX spells it for the table metrics column metrics depend on.
_TABLE_DOMAIN = {"table": None, "row_condition": None, "condition_parser": None}


class ExpectRulesToHold(BatchExpectation):
    """Every listed column exists, has its listed dtype, and every listed row rule has no unexpected row.

    `columns` must be in the table; each `[column, type name]` of `column_types` must name the column's
    dtype as `ExpectColumnTypeToBe` compares them (a missing column is left to `columns`);
    `unexpected_counts` are metric configurations (`metric_name`, `metric_domain_kwargs` without `batch_id`,
    `metric_value_kwargs`) of `…unexpected_count` metrics, each of which must be 0. The result's
    `observed_value` gives the positions of the entries of each list that fail.
    """

    columns: list[str] = pydantic.Field(default_factory=list)
    column_types: list[list[str]] = pydantic.Field(default_factory=list)
    unexpected_counts: list[dict[str, Any]] = pydantic.Field(default_factory=list)

    domain_keys: ClassVar = ("batch_id",)
    success_keys: ClassVar = ("columns", "column_types", "unexpected_counts")

    _configuration: Any = pydantic.PrivateAttr(default=None)

    @property
    def configuration(self):
        """The configuration, built once per instance (setting a field builds it again).

        GX rebuilds an expectation's configuration from its fields about fifteen times while validating
        it (once per kwarg it looks up); the screen's fields hold every rule's metric kwargs, code lists
        included, so that cost a tenth of the screening. GX only reads the configuration while validating,
        apart from `process_suite_parameters`, which the screen has none for.
        """
        if self._configuration is None:
            self._configuration = super().configuration
        return self._configuration

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name != "_configuration":
            self._configuration = None

    def get_validation_dependencies(
        self,
        execution_engine: Any | None = None,
        runtime_configuration: dict | None = None,
    ):
        dependencies = super().get_validation_dependencies(
            execution_engine=execution_engine, runtime_configuration=runtime_configuration
        )
        domain = {"batch_id": self.batch_id}
        for metric_name, value_kwargs in (
            ("table.columns", {}),
            ("table.column_types", {"include_nested": True}),
        ):
            dependencies.set_metric_configuration(
                metric_name=metric_name,
                metric_configuration=MetricConfiguration(
                    metric_name=metric_name,
                    metric_domain_kwargs={**_TABLE_DOMAIN, **domain},
                    metric_value_kwargs=value_kwargs,
                ),
            )
        for position, rule in enumerate(self.unexpected_counts):
            dependencies.set_metric_configuration(
                metric_name=_rule_key(position),
                metric_configuration=MetricConfiguration(
                    metric_name=rule["metric_name"],
                    metric_domain_kwargs={**rule["metric_domain_kwargs"], **domain},
                    metric_value_kwargs=rule["metric_value_kwargs"],
                ),
            )
        return dependencies

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any | None = None,
    ):
        present = set(metrics["table.columns"])
        types = {entry["name"]: entry["type"] for entry in metrics["table.column_types"]}
        failing = {
            "columns": [position for position, name in enumerate(self.columns) if name not in present],
            "column_types": [
                position
                for position, (name, type_) in enumerate(self.column_types)
                if name in types and not _type_matches(types[name], type_)
            ],
            # A count GX could not give (None) is not taken for 0: the rule is then validated as itself.
            "unexpected_counts": [
                position
                for position in range(len(self.unexpected_counts))
                if metrics[_rule_key(position)] != 0
            ],
        }
        return {"success": not any(failing.values()), "result": {"observed_value": failing}}


def _rule_key(position: int) -> str:
    return f"rule.{position}"


def _type_matches(actual: Any, type_: str) -> bool:
    """Whether `ExpectColumnTypeToBe(type_=type_)` accepts a pandas column of dtype `actual`."""
    return _type_check(type_)._validate_pandas(actual_column_type=actual, expected_type=type_)["success"]


@cache
def _type_check(type_: str) -> ExpectColumnTypeToBe:
    # `_validate_pandas` uses neither the column nor anything else of the instance but its arguments.
    return ExpectColumnTypeToBe(column="_", type_=type_)


@dataclass(eq=False)
class Member:
    """One expectation of a suite as the screen sees it (built once per process; equal only to itself)."""

    expectation: Any
    columns: frozenset[str]  # every column it reads (its own and those of its row condition)
    kind: str  # "presence", "type", "rows" or "single" (screened as itself)
    parameters: tuple[str, ...]  # the suite parameters its kwargs use
    # `rows`: the metric kwargs GX derives from the configuration, per tuple of parameter values.
    _metrics: dict[tuple, dict[str, Any]] = field(default_factory=dict)

    def unexpected_count(self, suite_parameters: dict[str, Any]) -> dict[str, Any]:
        """The `…unexpected_count` metric that decides this map expectation, for these parameter values."""
        key = tuple(_hashable(suite_parameters[name]) for name in self.parameters)
        metric = self._metrics.get(key)
        if metric is None:
            config = self.expectation.configuration
            config.process_suite_parameters(suite_parameters=suite_parameters)
            metric_name = f"{self.expectation.map_metric}.{_UNEXPECTED_COUNT}"
            kwargs = get_metric_kwargs(metric_name=metric_name, configuration=config)
            domain = {k: v for k, v in kwargs["metric_domain_kwargs"].items() if k != "batch_id"}
            metric = {
                "metric_name": metric_name,
                "metric_domain_kwargs": domain,
                "metric_value_kwargs": dict(kwargs["metric_value_kwargs"]),
            }
            self._metrics[key] = metric  # a race only computes the same value twice
        return metric


def members(expectations: Sequence[Any], referenced_columns) -> tuple[Member, ...]:
    """How the screen treats each expectation; `referenced_columns(config)` names the columns it reads."""
    result = []
    for expectation in expectations:
        config = expectation.configuration
        kind = _kind(expectation, config.kwargs)
        parameters = tuple(
            sorted(
                value["$PARAMETER"]
                for value in config.kwargs.values()
                if isinstance(value, dict) and "$PARAMETER" in value
            )
        )
        result.append(Member(expectation, frozenset(referenced_columns(config)), kind, parameters))
    return tuple(result)


def _kind(expectation: Any, kwargs: dict) -> str:
    name = type(expectation).__name__
    if name == "ExpectColumnToExist" and kwargs.get("column_index") is None:
        return "presence"
    if name == "ExpectColumnTypeToBe" and isinstance(kwargs.get("type_"), str):
        return "type"
    if isinstance(expectation, _MAP_EXPECTATIONS) and kwargs.get("mostly", 1) == 1:
        return "rows"
    return "single"


@dataclass(frozen=True)
class Screen:
    """One file's screening: the screen expectation and the members it stands for, and those run alone."""

    expectation: ExpectRulesToHold
    presence: tuple[Member, ...]
    types: tuple[Member, ...]
    rules: tuple[Member, ...]
    single: tuple[Member, ...]

    def failing(self, observed: dict[str, list[int]]) -> list[Member]:
        """The members the screen's `observed_value` reports as failing."""
        return (
            [self.presence[position] for position in observed["columns"]]
            + [self.types[position] for position in observed["column_types"]]
            + [self.rules[position] for position in observed["unexpected_counts"]]
        )


def screen(evaluable: Sequence[Member], sound_columns: set[str], suite_parameters: dict[str, Any]) -> Screen:
    """The screen of `evaluable` members on a frame whose `sound_columns` have their contract dtype.

    Presence checks always go into the screen, type checks of present columns too; a row rule only if every
    column it reads is sound.
    """
    presence = tuple(m for m in evaluable if m.kind == "presence")
    types = tuple(m for m in evaluable if m.kind == "type")
    rules = tuple(m for m in evaluable if m.kind == "rows" and m.columns <= sound_columns)
    chosen = {*presence, *types, *rules}
    single = tuple(m for m in evaluable if m not in chosen)
    expectation = ExpectRulesToHold(
        columns=[m.expectation.column for m in presence],
        column_types=[[m.expectation.column, m.expectation.type_] for m in types],
        unexpected_counts=[m.unexpected_count(suite_parameters) for m in rules],
    )
    return Screen(expectation, presence, types, rules, single)


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return value
