"""Delivery behaviour: arrival times, late, missing and outstanding packages, corrections — and the ground
truth that records them agrees with the landing zone."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from conftest import FIRST, LAST, STICHTAG
from package_reader import package_paths

from pipelines.calendar import Quarter, quarter_range


def _truth_packages(generated) -> dict[str, dict]:
    return {entry["pfad"]: entry for entry in generated.truth["pakete"]}


def test_ground_truth_lists_exactly_the_packages_in_the_landing_zone(generated):
    on_disk = {path.relative_to(generated.landing).as_posix() for path in package_paths(generated.landing)}
    assert on_disk == set(_truth_packages(generated))
    assert generated.summary.packages == len(on_disk)


def test_row_counts_in_ground_truth_match_the_files(generated, packages):
    truth = _truth_packages(generated)
    for package in packages:
        counted = {f"{name}.csv": len(rows) for name, rows in package.tables.items()}
        assert counted == truth[package.relative]["zeilen"], package.relative


def test_files_carry_the_arrival_time_and_manifests_are_written_shortly_before(generated, packages):
    truth = _truth_packages(generated)
    for package in packages:
        entry = truth[package.relative]
        arrival = datetime.fromisoformat(entry["eingegangen_am"])
        assert entry["erstellt_am"] == package.manifest["erstellt_am"]
        assert package.path.stat().st_mtime == arrival.timestamp()
        if package.path.is_dir():
            assert all(child.stat().st_mtime == arrival.timestamp() for child in package.path.iterdir())
        assert package.created < arrival
        assert (arrival - package.created).total_seconds() < 6 * 3600
        assert arrival.date() <= STICHTAG
        assert entry["verspaetet"] == (arrival.date() > package.quarter.deadline)


def test_missing_and_outstanding_quarters_have_no_package(generated):
    units = generated.truth["kommunen"]
    packages_by_unit_quarter = Counter((e["ags"], e["quartal"]) for e in generated.truth["pakete"])
    quarters = [str(q) for q in quarter_range(FIRST, LAST)]
    statuses = Counter()
    for ags, unit in units.items():
        absent = set(unit["quartale"]["fehlend"]) | set(unit["quartale"]["ausstehend"])
        for quarter in quarters:
            assert (packages_by_unit_quarter[ags, quarter] == 0) == (quarter in absent), (ags, quarter)
        statuses.update({key: len(value) for key, value in unit["quartale"].items()})
    total = len(units) * len(quarters)
    assert 1 <= statuses["fehlend"] < 0.02 * total
    assert statuses["fehlend"] == generated.summary.missing
    assert statuses["ausstehend"] == generated.summary.outstanding


def test_outstanding_packages_are_late_ones_of_the_last_quarter(generated):
    outstanding = [q for unit in generated.truth["kommunen"].values() for q in unit["quartale"]["ausstehend"]]
    # The reference date lies after the last quarter's deadline: only its late packages can be on the way.
    assert outstanding, "the test reference date should leave some late packages outstanding"
    assert set(outstanding) == {str(LAST)}


def test_late_deliveries_exist_and_are_recorded(generated):
    late = [e for e in generated.truth["pakete"] if e["verspaetet"] and not e["ist_korrektur"]]
    recorded = [
        (ags, q) for ags, u in generated.truth["kommunen"].items() for q in u["quartale"]["verspaetet"]
    ]
    assert late
    assert sorted((e["ags"], e["quartal"]) for e in late) == sorted(recorded)
    assert generated.summary.late == len(recorded)


def test_corrections_sit_next_to_their_original_in_the_other_shape_with_a_later_creation_time(
    generated, packages
):
    by_partition = defaultdict(list)
    for package in packages:
        by_partition[package.ags, package.quarter].append(package)
    corrected = {
        (ags, Quarter.parse(q))
        for ags, u in generated.truth["kommunen"].items()
        for q in u["quartale"]["korrigiert"]
    }
    assert corrected and len(corrected) == generated.summary.corrections
    truth = _truth_packages(generated)
    for key, partition in by_partition.items():
        if key not in corrected:
            assert len(partition) == 1, key
            continue
        assert len(partition) == 2, key
        original, correction = sorted(partition, key=lambda p: p.created)
        assert original.shape != correction.shape
        assert truth[original.relative]["ist_ersetzt"] and not truth[original.relative]["ist_korrektur"]
        assert truth[correction.relative]["ist_korrektur"] and not truth[correction.relative]["ist_ersetzt"]
        unit_shape = generated.truth["kommunen"][key[0]]["formate"]["paketform"]
        assert correction.shape == unit_shape
        assert original.shape == ("ORDNER_CSV" if unit_shape == "ZIP_CSV" else "ZIP_CSV")
        assert original.path.stat().st_mtime < correction.path.stat().st_mtime
        # the original was slightly wrong: events missing or closing dates not yet entered
        differs = original.tables["ereignisse"] != correction.tables["ereignisse"] or (
            original.tables["faelle"] != correction.tables["faelle"]
        )
        assert differs, key
        closed = sum(row["abschluss_am"] is not None for row in original.tables["faelle"])
        assert closed <= sum(row["abschluss_am"] is not None for row in correction.tables["faelle"])
        assert len(original.tables["ereignisse"]) <= len(correction.tables["ereignisse"])


def test_parameters_and_unit_truth_are_recorded(generated):
    parameters = generated.truth["parameter"]
    assert parameters == {
        "seed": 11,
        "scale": 0.02,
        "erstes_quartal": str(FIRST),
        "letztes_quartal": str(LAST),
        "stichtag": STICHTAG.isoformat(),
    }
    units = generated.truth["kommunen"]
    assert len(units) == 54 and "05334002" in units
    constituted = sorted(date.fromisoformat(u["lenkungsgruppe_konstituiert_am"]) for u in units.values())
    assert constituted[0].year == 2021 and constituted[-1].year == 2023
    for unit in units.values():
        assert 150 <= unit["integration_median_tage"] <= 450
        assert 30 <= unit["fallbelastung_ziel"] <= 60
        assert 0 < unit["integration_nie_anteil"] < 0.2
        assert 0 < unit["uebergang_nahtlos_anteil"] < 1
        shares = unit["abschlussgrund_anteile"]
        assert abs(sum(shares.values()) - 1) < 1e-5
        assert (
            abs(unit["zielerreichung_anteil"] - shares["ZIEL_ERREICHT"] - shares["UEBERGABE_REGELSYSTEM"])
            < 1e-5
        )
