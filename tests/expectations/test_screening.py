"""The screen (`expectations.screening`) fails exactly the expectations that fail when validated alone.

`validate_package` validates each file with one screening expectation and details only what it reports; these
tests compare the screen's verdict per expectation with GX validating every expectation on its own, on the
rows of every rule case of the suite tests (so every rule fails somewhere), on reader defects (dtypes,
missing columns), on empty files and on a range of dtypes for the type check. They also pin what the speed-up
rests on: a clean file is one screening expectation, and the GX session of a thread is reused safely.
"""

from __future__ import annotations

import importlib
import threading

import pandas as pd
import pytest
from expectation_frames import (
    clean_frames,
    clean_rows,
    known_cases,
    parameters,
    pseudonym,
    typed_frame,
)

from expectations import validate_package
from expectations._gx import gxe, screening
from expectations.messages import package_fields
from expectations.suites import SUITE_MODULES
from expectations.suites.common import DTYPES, PANDAS_TYPES, SuiteContext
from expectations.validate import (
    _contract_frame,
    _is_evaluable,
    _members,
    _PackageRun,
    _referenced_columns,
    _session,
    _sound_columns,
)
from pipelines.calendar import Quarter

QUARTER = Quarter(2025, 3)
SUITE_PARAMETERS = {
    "quartalsbeginn": QUARTER.start,
    "quartalsende": QUARTER.end,
    "berichtsjahr": QUARTER.year,
    "gemeinden": ["0:05111000"],  # (package in the batch):(Gemeinde)
}
NAMES = list(SUITE_MODULES)


def _run() -> _PackageRun:
    return _PackageRun(
        session=_session(), suite_parameters=SUITE_PARAMETERS, message_fields=package_fields(QUARTER)
    )


def _context(quarantined: frozenset[int] = frozenset({3})) -> SuiteContext:
    # Events may refer to this package's cases (by default, line 3 quarantined) and to one earlier case.
    return SuiteContext(
        quarter=QUARTER,
        faelle=typed_frame("faelle", clean_rows("faelle")),
        faelle_quarantined=quarantined,
        known_cases=known_cases((pseudonym("aus 2024-Q4"), "2024-11-03")),
    )


def _verdicts(
    name: str, frame: pd.DataFrame, context: SuiteContext | None = None
) -> tuple[set[int], set[int], int]:
    """Positions of the failing members by the screen and by validating each as itself; how many ran alone."""
    module = SUITE_MODULES[name]
    augmented = module.add_helper_columns(
        _contract_frame(frame, module.FILE), context or _context()
    ).reset_index(drop=True)
    members = list(_members(name))
    evaluable = [m for m in members if _is_evaluable(m, set(augmented.columns))]
    run = _run()
    validator = run.session.validator(module.FILE.name, augmented)
    sound = _sound_columns(augmented, module.FILE, module)
    screen = screening().screen(evaluable, sound, SUITE_PARAMETERS)
    by_screen = run._run_screen(validator, module.FILE, screen)
    alone = screening().Screen(screening().ExpectRulesToHold(), (), (), (), tuple(evaluable))
    by_themselves = run._run_screen(validator, module.FILE, alone)
    position = {id(member): index for index, member in enumerate(members)}
    return (
        {position[id(m)] for m in by_screen},
        {position[id(m)] for m in by_themselves},
        len(screen.single),
    )


def _rule_case_rows(name: str) -> list[dict[str, object]]:
    """The clean rows and the rows of every case of `test_suite_<name>.py` (keys as the cases set them)."""
    tests = importlib.import_module(f"test_suite_{name}")
    rows = clean_rows(name)
    for item in tests.CASES:
        rows += [{**tests.BASE, **changes} for changes in item.rows]
    return rows


@pytest.mark.parametrize("name", NAMES)
def test_a_clean_file_is_screened_by_one_expectation(name):
    module = SUITE_MODULES[name]
    frame = clean_frames()[name]
    context = _context(quarantined=frozenset())
    augmented = module.add_helper_columns(frame, context)
    screen = screening().screen(
        _members(name), _sound_columns(augmented, module.FILE, module), SUITE_PARAMETERS
    )
    assert screen.single == ()
    assert len(screen.presence) + len(screen.types) + len(screen.rules) == len(_members(name))
    assert _verdicts(name, frame, context) == (set(), set(), 0)


@pytest.mark.parametrize("name", NAMES)
def test_the_screen_fails_what_fails_on_its_own_on_every_rule_case(name):
    frame = typed_frame(name, _rule_case_rows(name))
    by_screen, by_themselves, alone = _verdicts(name, frame)
    assert alone == 0
    assert by_screen == by_themselves
    # The cases break every rule of the file but the dtype checks (the frame is typed as the reader types).
    members = _members(name)
    assert {members[position].expectation.meta["regel"] for position in by_themselves} == {
        member.expectation.meta["regel"] for member in members
    } - {"TYP_SPALTE"}


@pytest.mark.parametrize("name", NAMES)
def test_the_screen_fails_what_fails_on_its_own_on_reader_defects(name):
    frame = typed_frame(name, _rule_case_rows(name))
    first, second, *_ = [column.name for column in SUITE_MODULES[name].FILE.columns]
    wrong = frame.assign(**{first: frame[first].astype(object)})
    by_screen, by_themselves, alone = _verdicts(name, wrong)
    assert alone > 0  # the rules on the wrong column are screened as themselves
    assert by_screen == by_themselves
    by_screen, by_themselves, _ = _verdicts(name, frame.drop(columns=[second]))
    assert by_screen == by_themselves
    empty = typed_frame(name, [])
    assert _verdicts(name, empty) == (set(), set(), 0)


def test_the_dtype_check_of_the_screen_is_gx_s_for_the_contract_dtypes():
    # Names differ in more than case: GX finds the column of a name case-insensitively.
    values = {
        "str_pyarrow_nan": pd.array(["a", None], dtype=DTYPES["text"]),
        "str_python_nan": pd.array(["a", None], dtype=pd.StringDtype("python", na_value=float("nan"))),
        "string_python_na": pd.array(["a", None], dtype="string"),
        "string_pyarrow_na": pd.array(["a", None], dtype="string[pyarrow]"),
        "object": pd.array(["a", None], dtype=object),
        "nullable_int32": pd.array([1, None], dtype="Int32"),
        "nullable_int64": pd.array([1, None], dtype="Int64"),
        "numpy_int32": pd.array([1, 2], dtype="int32"),
        "nullable_float64": pd.array([1.5, None], dtype="Float64"),
        "numpy_float64": pd.array([1.5, 2.0], dtype="float64"),
        "nullable_float32": pd.array([1.5, None], dtype="Float32"),
        "arrow_date32": pd.array([QUARTER.start, None], dtype=DTYPES["date"]),
        "arrow_date64": pd.array([QUARTER.start, None], dtype="date64[pyarrow]"),
        "arrow_timestamp": pd.array([pd.Timestamp("2025-07-01"), None], dtype="timestamp[s][pyarrow]"),
        "numpy_datetime64": pd.array([pd.Timestamp("2025-07-01"), None], dtype="datetime64[ns]"),
        "nullable_boolean": pd.array([True, None], dtype="boolean"),
    }
    frame = pd.DataFrame({"zeile": pd.array([2, 3], dtype="Int32"), **values})
    expectations = [
        gxe().ExpectColumnTypeToBe(column=column, type_=type_)
        for column in values
        for type_ in PANDAS_TYPES.values()
    ]
    members = screening().members(expectations, _referenced_columns)
    run = _run()
    validator = run.session.validator("dtypes", frame)
    screen = screening().screen(members, set(), {})
    assert len(screen.types) == len(members)
    alone = screening().Screen(screening().ExpectRulesToHold(), (), (), (), tuple(members))
    by_screen = {id(m) for m in run._run_screen(validator, SUITE_MODULES["faelle"].FILE, screen)}
    by_themselves = {id(m) for m in run._run_screen(validator, SUITE_MODULES["faelle"].FILE, alone)}
    assert by_screen == by_themselves
    passing = {m.expectation.type_ for m in members if id(m) not in by_themselves}
    assert passing == set(PANDAS_TYPES.values())


@pytest.mark.parametrize("mostly", [1.0, 0.9], ids=["im_screen", "allein"])
def test_a_rule_gx_cannot_evaluate_is_an_error_not_a_finding(monkeypatch, mostly):
    broken = gxe().ExpectColumnValuesToMatchRegex(column="institutionen", regex="(", mostly=mostly)
    members = (*_members("lenkungsgruppe"), *screening().members([broken], _referenced_columns))
    assert members[-1].kind == ("rows" if mostly == 1.0 else "single")
    monkeypatch.setattr("expectations.validate._members", lambda name: members)
    with pytest.raises(RuntimeError, match="raised .*regular expression"):
        validate_package({"lenkungsgruppe": clean_frames()["lenkungsgruppe"]}, parameters())


def _broken_package() -> dict[str, pd.DataFrame]:
    frames = clean_frames()
    rows = clean_rows("faelle")
    rows[1]["abschluss_am"] = "2024-06-01"  # before the intake on 15.06.2024
    rows.append({**rows[0], "fall_id": pseudonym("F9"), "geburtsjahr": 1900})
    frames["faelle"] = typed_frame("faelle", rows)
    return frames


def _summary(outcome) -> list[tuple]:
    found = outcome.findings
    return list(zip(found["datei"], found["zeile"], found["spalte"], found["regel"], strict=True))


BROKEN = [
    ("faelle.csv", 3, "abschluss_am", "DATUM_REIHENFOLGE"),
    ("faelle.csv", 5, "geburtsjahr", "WERTEBEREICH"),
    ("ereignisse.csv", 3, "fall_id", "FALL_UNBEKANNT"),
]


def test_packages_validated_one_after_another_in_one_session_do_not_mix():
    clean, broken = clean_frames(), _broken_package()
    for frames, expected in (
        (broken, BROKEN),
        (clean, []),
        (broken, BROKEN),
        ({"faelle": clean["faelle"]}, []),
    ):
        assert _summary(validate_package(frames, parameters())) == expected


def test_threads_validate_side_by_side_each_with_its_own_session():
    results: dict[str, list] = {}
    sessions: dict[str, object] = {}

    def work(label: str, frames: dict[str, pd.DataFrame]) -> None:
        sessions[label] = _session()
        results[label] = [_summary(validate_package(frames, parameters())) for _ in range(2)]

    threads = [
        threading.Thread(target=work, args=("sauber", clean_frames())),
        threading.Thread(target=work, args=("fehlerhaft", _broken_package())),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"sauber": [[], []], "fehlerhaft": [BROKEN, BROKEN]}
    assert len({id(session) for session in (sessions["sauber"], sessions["fehlerhaft"], _session())}) == 3
