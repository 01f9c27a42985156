"""The suites cover the contract: every column, every required value, every code list, every rule id.

These tests read the suites as built (real GX expectation objects) without validating anything.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from expectation_frames import clean_frames, typed_frame

from expectations.messages import FORMATTED_KINDS, package_fields, template_fields
from expectations.suites import SUITE_MODULES, build_suite
from expectations.suites.common import PANDAS_TYPES, SuiteContext, codes_pattern
from pipelines.calendar import Quarter
from pipelines.config import REPO_ROOT
from pipelines.contract.codes import codes
from pipelines.contract.findings import Outcome, Rule
from pipelines.contract.schema import CONTRACT_FILES

# The rules each file's section in DATA_CONTRACT.md section 2 asks for (besides the reader's own checks).
RULES = {
    "faelle": {
        "PFLICHTFELD", "TYP_SPALTE", "CODELISTE", "LAENGE", "DUPLIKAT", "GEMEINDE_FREMD", "WERTEBEREICH",
        "ZEITRAUM", "DATUM_REIHENFOLGE", "BEDINGTE_ANGABE",
    },
    "ereignisse": {
        "PFLICHTFELD", "TYP_SPALTE", "CODELISTE", "FALL_UNBEKANNT", "DATUM_REIHENFOLGE", "ZEITRAUM",
        "BEDINGTE_ANGABE", "RECHTSKREIS_GLEICH", "DUPLIKAT",
    },
    "personal": {
        "PFLICHTFELD", "TYP_SPALTE", "CODELISTE", "LAENGE", "DUPLIKAT", "WERTEBEREICH", "BESETZT_UEBER_BEWILLIGT",
        "BEDINGTE_ANGABE",
    },
    "finanzen": {"PFLICHTFELD", "TYP_SPALTE", "CODELISTE", "DUPLIKAT", "WERTEBEREICH", "BETRAEGE_INKONSISTENT"},
    "strukturthemen": {
        "PFLICHTFELD", "TYP_SPALTE", "CODELISTE", "LAENGE", "DUPLIKAT", "WERTEBEREICH", "DATUM_REIHENFOLGE",
        "BEDINGTE_ANGABE", "THEMENSTATUS",
    },
    "lenkungsgruppe": {"PFLICHTFELD", "TYP_SPALTE", "CODELISTE", "ZEITRAUM", "DUPLIKAT", "WERTEBEREICH"},
    "aufenthalt": {"PFLICHTFELD", "TYP_SPALTE", "CODELISTE", "DUPLIKAT", "WERTEBEREICH"},
}  # fmt: skip
# The rule ids of the block "checked by the Great Expectations suites" in findings.py, plus the reader's
# required-field and code-list ids the suites double-check with.
GX_RULES = {
    Rule.COLUMN_TYPE, Rule.RANGE, Rule.PERIOD, Rule.DATE_ORDER, Rule.CONDITIONAL_REQUIRED, Rule.SAME_RECHTSKREIS,
    Rule.FILLED_OVER_GRANTED, Rule.AMOUNTS_INCONSISTENT, Rule.THEME_STATUS, Rule.DUPLICATE, Rule.UNKNOWN_CASE,
    Rule.FOREIGN_GEMEINDE, Rule.REQUIRED, Rule.CODE_LIST,
}  # fmt: skip
NAMES = list(SUITE_MODULES)


def _expectations(name: str) -> list:
    return list(build_suite(name).expectations)


def _kind(expectation) -> str:
    return type(expectation).__name__


def _columns(expectation) -> set[str]:
    kwargs = expectation.configuration.kwargs
    names = {kwargs[key] for key in ("column", "column_A", "column_B") if kwargs.get(key)}
    return names | set(kwargs.get("column_list") or [])


def _unconditional(expectation) -> bool:
    return not getattr(expectation, "row_condition", None)


def test_there_is_one_suite_per_contract_file_in_contract_order():
    assert list(CONTRACT_FILES) == NAMES
    for name, module in SUITE_MODULES.items():
        assert module.FILE is CONTRACT_FILES[name]
        assert build_suite(name).name == f"kim_{name}"


@pytest.mark.parametrize("name", NAMES)
def test_every_column_exists_has_its_type_and_a_value_rule(name):
    expectations = _expectations(name)
    for column in CONTRACT_FILES[name].columns:
        on_column = [e for e in expectations if column.name in _columns(e)]
        kinds = {_kind(e) for e in on_column}
        assert "ExpectColumnToExist" in kinds, column.name
        types = [e.type_ for e in on_column if _kind(e) == "ExpectColumnTypeToBe"]
        assert types == [PANDAS_TYPES[column.kind]], column.name
        assert kinds - {"ExpectColumnToExist", "ExpectColumnTypeToBe"}, (
            f"{column.name}: no rule on its values"
        )


@pytest.mark.parametrize("name", NAMES)
def test_every_required_column_has_an_unconditional_not_null_expectation(name):
    not_null = {
        e.column: e.meta["regel"]
        for e in _expectations(name)
        if _kind(e) == "ExpectColumnValuesToNotBeNull" and _unconditional(e) and not e.column.startswith("_")
    }
    required = {column.name for column in CONTRACT_FILES[name].columns if column.required}
    assert set(not_null) == required
    assert set(not_null.values()) == {"PFLICHTFELD"}


@pytest.mark.parametrize("name", NAMES)
def test_every_code_column_is_checked_against_its_whole_list(name):
    expectations = _expectations(name)
    for column in CONTRACT_FILES[name].columns:
        if column.code_list is None:
            continue
        checks = [e for e in expectations if e.meta["regel"] == "CODELISTE" and _columns(e) == {column.name}]
        assert len(checks) == 1, column.name
        check = checks[0]
        if column.kind == "codes":
            assert _kind(check) == "ExpectColumnValuesToMatchRegex"
            assert check.regex == codes_pattern(column.code_list)
        else:
            expected = (
                [int(code) for code in codes(column.code_list)]
                if column.kind == "int"
                else list(codes(column.code_list))
            )
            assert _kind(check) == "ExpectColumnValuesToBeInSet"
            assert list(check.value_set) == expected


def test_the_codes_pattern_accepts_lists_and_rejects_everything_else():
    pattern = re.compile(codes_pattern("bedarf"))
    for good in ("SPRACHE", "SPRACHE|ARBEIT", "|".join(codes("bedarf"))):
        assert pattern.match(good), good
    for bad in (
        "",
        "|",
        "SPRACHE|",
        "|SPRACHE",
        "SPRACHE||ARBEIT",
        "sprache",
        "SPRACHE ARBEIT",
        "SPRACHE,ARBEIT",
    ):
        assert not pattern.match(bad), bad


@pytest.mark.parametrize("name", NAMES)
def test_each_suite_checks_exactly_the_rules_of_its_file(name):
    assert {e.meta["regel"] for e in _expectations(name)} == RULES[name]


def test_every_rule_of_the_gx_block_is_used_by_a_suite():
    used = {e.meta["regel"] for name in NAMES for e in _expectations(name)}
    assert {str(rule) for rule in GX_RULES} <= used
    assert used <= {str(rule) for rule in Rule}


@pytest.mark.parametrize("name", NAMES)
def test_every_expectation_carries_complete_meta_with_a_renderable_german_template(name):
    module = SUITE_MODULES[name]
    file = CONTRACT_FILES[name]
    helpers = {helper.name for helper in module.HELPERS}
    allowed = (
        set(file.column_names)
        | helpers
        | set(package_fields(Quarter(2025, 3)))
        | {"wert", "beobachteter_typ"}
    )
    pseudonyms = {column.name for column in file.columns if column.pseudonym}
    for expectation in _expectations(name):
        meta = expectation.meta
        assert set(meta) == {"regel", "ergebnis", "spalte", "meldung"}, meta
        assert meta["ergebnis"] in {str(Outcome.ROW_QUARANTINED), str(Outcome.NOTICE)}
        assert meta["spalte"] in file.column_names, meta
        fields = set(template_fields(meta["meldung"]))
        assert fields <= allowed, fields - allowed
        # The unit knows its own pseudonyms only; the re-keyed form would mean nothing to it.
        assert not fields & pseudonyms, meta["meldung"]
        assert meta["meldung"].rstrip().endswith("."), meta["meldung"]
        assert _columns(expectation) <= set(file.column_names) | helpers


@pytest.mark.parametrize("name", NAMES)
def test_helper_columns_are_declared_prefixed_and_produced(name):
    module = SUITE_MODULES[name]
    frame = clean_frames()[name]
    context = SuiteContext(quarter=Quarter(2025, 3))
    augmented = module.add_helper_columns(frame, context)
    declared = [helper.name for helper in module.HELPERS]
    assert all(helper.startswith("_") for helper in declared)
    assert {helper.kind for helper in module.HELPERS} <= set(FORMATTED_KINDS)
    assert not set(declared) & set(CONTRACT_FILES[name].column_names)
    assert list(augmented.columns) == list(frame.columns) + declared
    assert len(augmented) == len(frame)
    empty = module.add_helper_columns(typed_frame(name, []), context)
    assert list(empty.columns) == list(frame.columns) + declared


def test_the_contract_document_lists_exactly_the_schema_columns():
    """Section 2 of DATA_CONTRACT.md (next to the repository) and `schema.py` name the same columns."""
    contract = REPO_ROOT.parent / "shared" / "spec" / "DATA_CONTRACT.md"
    if not contract.exists():
        pytest.skip(f"{contract} is not next to this checkout")
    section = contract.read_text(encoding="utf-8").split("## 2.")[1].split("\n## 3.")[0]
    for block in section.split("### `")[1:]:
        filename = block.split("`", 1)[0]
        columns = re.findall(r"^\| `([a-z_]+)` \|", block, flags=re.MULTILINE)
        file = CONTRACT_FILES[filename.removesuffix(".csv")]
        assert tuple(columns) == file.column_names, filename


def test_importing_the_package_does_not_import_great_expectations():
    code = "import sys, expectations, expectations.suites; print('great_expectations' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert result.stdout.strip() == "False"
