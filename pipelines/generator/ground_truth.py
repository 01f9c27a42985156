"""`ground_truth.json`: the parameters each unit was simulated with and what was delivered when.

The pipeline never reads it; tests compare what the pipeline recovers from the packages (medians, shares,
delivery status, corrections) with these values. Keys are sorted and floats rounded, so that the same run
always writes the same bytes.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pipelines.calendar import Quarter
from pipelines.generator.delivery import Delivery, DeliveryStatus
from pipelines.generator.formats import UnitFormat
from pipelines.generator.packaging import WrittenPackage
from pipelines.generator.profiles import UnitProfile
from pipelines.generator.timeline import to_date
from pipelines.generator.unit_packages import UnitOutcome

GROUND_TRUTH_VERSION = 1
LINE_ENDING_NAMES = {"\n": "LF", "\r\n": "CRLF"}


def _share(value: float) -> float:
    return round(float(value), 6)


def _package_entry(package: WrittenPackage) -> dict:
    return {
        "pfad": package.path,
        "ags": package.ags,
        "quartal": str(package.quarter),
        "paketform": package.shape.value,
        "erstellt_am": package.created.isoformat(timespec="seconds"),
        "eingegangen_am": package.arrival.isoformat(timespec="seconds"),
        "verspaetet": package.arrival.date() > package.quarter.deadline,
        "ist_korrektur": package.is_correction,
        "ist_ersetzt": package.is_superseded,
        "zeilen": package.rows,
    }


def _unit_entry(
    profile: UnitProfile,
    unit_format: UnitFormat,
    deliveries: list[Delivery],
    outcome: UnitOutcome,
    scale: float,
) -> dict:
    process = profile.cases.process
    closures = sum(outcome.closures_by_reason.values())
    successes = (
        outcome.closures_by_reason["ZIEL_ERREICHT"] + outcome.closures_by_reason["UEBERGABE_REGELSYSTEM"]
    )
    csv_format = unit_format.csv

    def quarters(condition) -> list[str]:
        return [str(d.quarter) for d in deliveries if condition(d)]

    counted = [p for p in outcome.packages if not p.is_superseded]
    return {
        "name": profile.unit.name,
        "typ": profile.unit.typ,
        "regierungsbezirk": profile.unit.regierungsbezirk,
        "einwohner_zustaendig": profile.unit.einwohner_zustaendig,
        "cm_vzae_ziel": profile.staffing.cm_vzae_target,
        "fallbelastung_ziel": profile.cases.caseload_target,
        "fallbelastung_ziel_skaliert": round(profile.cases.caseload_target * scale, 4),
        "integration_median_tage": process.integration_median_days,
        "integration_nie_anteil": process.never_integrating_share,
        "uebergangsluecke_median_tage": process.gap_median_days,
        "uebergang_nahtlos_anteil": process.seamless_share,
        "zielerreichung_anteil": _share(process.success_share),
        "abschlussgrund_anteile": {code: _share(v) for code, v in process.closure_reason_shares().items()},
        "zielerreichung_anteil_realisiert": _share(successes / closures) if closures else None,
        "wartezeit_median_tage": process.waiting_median_whole_days,
        "lenkungsgruppe_konstituiert_am": to_date(profile.steering.constitution_day).isoformat(),
        "formate": {
            "paketform": unit_format.shape.value,
            "zeichenkodierung": csv_format.encoding,
            "trennzeichen": csv_format.delimiter,
            "datumsformat": csv_format.date_style.value,
            "dezimalformat": csv_format.decimal_style.value,
            "kopfzeilen": csv_format.header_style.value,
            "zeilenende": LINE_ENDING_NAMES[csv_format.line_ending],
            "quellsystem": unit_format.source_system,
        },
        "quartale": {
            "verspaetet": quarters(lambda d: d.status is DeliveryStatus.DELIVERED and d.late),
            "fehlend": quarters(lambda d: d.status is DeliveryStatus.MISSING),
            "ausstehend": quarters(lambda d: d.status is DeliveryStatus.OUTSTANDING),
            "korrigiert": quarters(lambda d: d.corrected),
        },
        "anzahl": {
            "faelle_simuliert": outcome.cases_simulated,
            "faelle_geliefert": outcome.cases_delivered,
            "ereignisse_geliefert": outcome.events_delivered,
            "ereignisse_nachgemeldet": outcome.events_late,
            "zeilen_geliefert": {
                name: sum(p.rows.get(name, 0) for p in counted)
                for name in sorted({n for p in counted for n in p.rows})
            },
        },
    }


def build_ground_truth(
    *,
    seed: int,
    scale: float,
    first: Quarter,
    last: Quarter,
    stichtag: date,
    profiles: dict[str, UnitProfile],
    formats: dict[str, UnitFormat],
    deliveries: dict[tuple[str, Quarter], Delivery],
    outcomes: dict[str, UnitOutcome],
) -> dict:
    units = {}
    for ags, profile in profiles.items():
        unit_deliveries = sorted((d for (a, _), d in deliveries.items() if a == ags), key=lambda d: d.quarter)
        units[ags] = _unit_entry(profile, formats[ags], unit_deliveries, outcomes[ags], scale)
    packages = sorted((p for o in outcomes.values() for p in o.packages), key=lambda p: p.path)
    return {
        "version": GROUND_TRUTH_VERSION,
        "parameter": {
            "seed": seed,
            "scale": scale,
            "erstes_quartal": str(first),
            "letztes_quartal": str(last),
            "stichtag": stichtag.isoformat(),
        },
        "kommunen": units,
        "pakete": [_package_entry(p) for p in packages],
    }


def write_ground_truth(path: Path, truth: dict) -> None:
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
