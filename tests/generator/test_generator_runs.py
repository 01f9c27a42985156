"""Whole runs: determinism, seeds, scale, and the guard that protects non-generated directories."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import LAST, run_generator

from pipelines.calendar import Quarter
from pipelines.generator import MARKER_FILENAME, GeneratorError, generate


def _snapshot(root: Path) -> dict[str, tuple[bytes, float]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_identical_bytes_and_ground_truth(generated, tmp_path):
    again = run_generator(tmp_path)
    first, second = _snapshot(generated.landing), _snapshot(again.landing)
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name][0] != second[name][0]]
    assert not differing
    # the packages' times are simulated arrivals; only the marker carries the time of the run
    differing = [name for name in first if first[name][1] != second[name][1] and name != MARKER_FILENAME]
    assert not differing
    assert (generated.landing.parent / "ground_truth.json").read_bytes() == (
        tmp_path / "ground_truth.json"
    ).read_bytes()


def test_different_seed_gives_different_data(generated, tmp_path):
    other = run_generator(tmp_path, seed=12)
    first, second = _snapshot(generated.landing), _snapshot(other.landing)
    shared = first.keys() & second.keys()
    assert sum(first[name][0] != second[name][0] for name in shared) > 0.9 * len(shared)
    assert other.truth["kommunen"]["05111"] != generated.truth["kommunen"]["05111"]


def test_scale_multiplies_case_volume(tmp_path):
    quarter = {"first": Quarter(2023, 1), "last": Quarter(2023, 2)}
    small = run_generator(tmp_path / "small", scale=0.05, **quarter)
    large = run_generator(tmp_path / "large", scale=0.2, **quarter)
    assert 3.0 < large.summary.cases / small.summary.cases < 4.5
    assert 3.0 < large.summary.events / small.summary.events < 4.5
    # staff and funds describe the real units at every scale
    assert large.summary.rows_per_file["personal.csv"] == small.summary.rows_per_file["personal.csv"]


def test_every_unit_has_cases_in_every_quarter_even_at_small_scale(packages):
    for package in packages:
        assert len(package.tables["faelle"]) >= 3, package.relative


def test_refuses_a_non_empty_directory_it_did_not_create(tmp_path):
    landing = tmp_path / "landing"
    (landing / "05111").mkdir(parents=True)
    delivery = landing / "05111" / "2024-Q1.zip"
    delivery.write_bytes(b"real delivery")
    with pytest.raises(GeneratorError, match="nicht leer"):
        generate(landing, scale=0.02, first=LAST, last=LAST, stichtag=date(2024, 6, 1))
    assert delivery.read_bytes() == b"real delivery"
    assert sorted(p.name for p in landing.rglob("*")) == ["05111", "2024-Q1.zip"]


def test_replaces_the_content_of_its_own_previous_run(tmp_path):
    landing = tmp_path / "landing"
    generate(landing, scale=0.02, first=LAST, last=LAST, stichtag=date(2024, 6, 1))
    leftover = landing / "leftover.txt"
    leftover.write_text("from an earlier run")
    generate(landing, scale=0.02, first=Quarter(2022, 1), last=Quarter(2022, 1), stichtag=date(2024, 6, 1))
    assert not leftover.exists()
    assert (landing / MARKER_FILENAME).is_file()
    quarters = {
        path.name.removesuffix(".zip")
        for unit in landing.iterdir()
        if unit.is_dir()
        for path in unit.iterdir()
    }
    assert quarters == {"2022-Q1"}


def test_refuses_a_file_as_target(tmp_path):
    target = tmp_path / "landing"
    target.write_text("x")
    with pytest.raises(GeneratorError, match="Datei"):
        generate(target, scale=0.02, first=LAST, last=LAST, stichtag=date(2024, 6, 1))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"scale": 0}, "Volumenfaktor"),
        ({"scale": float("nan")}, "Volumenfaktor"),
        ({"seed": -1}, "Startwert"),
        ({"first": Quarter(2019, 4)}, "vor dem Beginn"),
        ({"first": Quarter(2023, 2), "last": Quarter(2023, 1)}, "vor dem ersten Quartal"),
        ({"last": Quarter(2024, 2)}, "noch nicht abgeschlossen"),
    ],
)
def test_invalid_arguments_get_a_german_message(tmp_path, arguments, message):
    defaults = {
        "scale": 0.02,
        "first": Quarter(2023, 1),
        "last": Quarter(2023, 1),
        "stichtag": date(2024, 6, 1),
    }
    with pytest.raises(GeneratorError, match=message):
        generate(tmp_path / "landing", **{**defaults, **arguments})
    assert not (tmp_path / "landing").exists()


def test_defaults_follow_the_configured_reference_date(tmp_path, monkeypatch):
    monkeypatch.setenv("KIM_STICHTAG", "2021-05-20")
    summary = generate(tmp_path / "landing", scale=0.02)
    assert (summary.first_quarter, summary.last_quarter) == ("2021-Q1", "2021-Q1")
    assert summary.outstanding + summary.packages - summary.corrections + summary.missing == 54
    end_of_reference_day = datetime(2021, 5, 21).timestamp()
    assert all(path.stat().st_mtime < end_of_reference_day for path in (tmp_path / "landing").glob("*/*"))


def test_summary_is_german(generated):
    text = generated.summary.format_german()
    assert "Lieferpakete von 54 Kommunen" in text and "Fälle" in text and "Korrekturen" in text
    assert str(generated.summary.packages) in text.replace(".", "")
