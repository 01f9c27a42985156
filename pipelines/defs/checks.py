"""Asset checks of the ingestion, evaluated per partition: contract suites per file, acceptance, reconciliation.

The load asset processes many partitions in one run, so it cannot yield one check result per partition the
usual way; it logs an `AssetCheckEvaluation` with the partition for each of them, built here. The specs are
declared on the asset, so the checks appear with it in the UI.
"""

from __future__ import annotations

import dagster as dg

from pipelines.contract.findings import Outcome, Status
from pipelines.contract.schema import CONTRACT_FILES
from pipelines.ingest.staging import ParsedPackage, read_findings
from pipelines.ingest.validation import ValidatedPackage

RECORD_ASSET = dg.AssetKey("lieferprotokoll")
LOAD_ASSET = dg.AssetKey("raw_tabellen")

CONTRACT_SUITE_CHECKS = [
    dg.AssetCheckSpec(
        name=f"vertrag_{name}",
        asset=RECORD_ASSET,
        description=f"Great-Expectations-Suite des Datenvertrags für {file.filename}: Pflichtangaben, Typen, "
        "Codelisten, Wertebereiche, Zeiträume, Querbezüge, Eindeutigkeit, Bezüge auf frühere Lieferungen.",
    )
    for name, file in CONTRACT_FILES.items()
]

ACCEPTANCE_CHECK = dg.AssetCheckSpec(
    name="paket_annehmbar",
    asset=RECORD_ASSET,
    blocking=True,
    description="Mindestens ein Paket der Partition erfüllt den Datenvertrag auf Paketebene; sonst wird nichts "
    "geladen und der zuletzt geladene Stand bleibt.",
)

RECONCILIATION_CHECK = dg.AssetCheckSpec(
    name="abgleich_geliefert_geladen_quarantaene",
    asset=LOAD_ASSET,
    blocking=True,
    description="Je Datei: gelieferte Zeilen = geladene + in Quarantäne genommene Zeilen, gemessen an den Tabellen.",
)


def _evaluation(spec: dg.AssetCheckSpec, partition: str, passed: bool, metadata: dict, **kwargs):
    kwargs.setdefault("blocking", spec.blocking)
    return dg.AssetCheckEvaluation(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=passed,
        partition=partition,
        metadata=metadata,
        **kwargs,
    )


def _rejections_by_file(package: ParsedPackage) -> dict[str | None, list[str]]:
    findings = read_findings(package)
    rejected = findings[(findings["ergebnis"] == str(Outcome.PACKAGE_REJECTED)) & findings["zeile"].isna()]
    reasons: dict[str | None, list[str]] = {}
    for datei, meldung in zip(rejected["datei"].tolist(), rejected["meldung"].tolist(), strict=True):
        reasons.setdefault(datei if isinstance(datei, str) else None, []).append(meldung)
    return reasons


def contract_suite_evaluations(partition: str, validated: list[ValidatedPackage]):
    """One evaluation per contract file over the partition's packages.

    Fails with ERROR where the file got a package rejected, with WARN where rows were quarantined or noted;
    neither blocks here: whether anything is loaded is decided once, by `paket_annehmbar`.
    """
    rejections = {
        item.package.paket_id: _rejections_by_file(item.package)
        for item in validated
        if item.package.status is Status.REJECTED
    }
    for spec in CONTRACT_SUITE_CHECKS:
        filename = CONTRACT_FILES[spec.name.removeprefix("vertrag_")].filename
        suites = [suite for item in validated for suite in item.suites if suite.datei == filename]
        reasons = [reason for by_file in rejections.values() for reason in by_file.get(filename, [])]
        delivered = [file for item in validated for file in item.package.files if file.name == filename]
        quarantined = sum(file.rows_quarantined for file in delivered)
        failed = sum(suite.failed_expectations for suite in suites)
        notices = sum(suite.notices for suite in suites)
        yield _evaluation(
            spec,
            partition,
            passed=not (reasons or failed or quarantined),
            severity=dg.AssetCheckSeverity.ERROR if reasons else dg.AssetCheckSeverity.WARN,
            metadata={
                "geliefert": bool(delivered),
                "erwartungen": sum(suite.expectations for suite in suites),
                "erwartungen_verletzt": failed,
                "zeilen_geprueft": sum(suite.rows_checked for suite in suites),
                "zeilen_quarantaene": quarantined,
                "hinweise": notices,
                "ablehnungsgruende": "\n".join(reasons) or "keine",
            },
        )


def acceptance_evaluation(partition: str, packages: list[ParsedPackage], *, blocks_run: bool):
    """Whether the partition has an acceptable package; only acceptable packages are ever loaded.

    Dagster fails the step after a failed blocking evaluation. In a run over many partitions one refused
    delivery must not stop the others, so the evaluation blocks (`blocks_run`) only when no partition of the
    run had an acceptable package: then the step stops as a run of one refused partition always did.
    """
    acceptable = [package for package in packages if package.status is not Status.REJECTED]
    reasons = [
        f"{package.paket_id[:12]}: {reason}"
        for package in packages
        if package.status is Status.REJECTED
        for reason in package.rejection_reasons
    ]
    return _evaluation(
        ACCEPTANCE_CHECK,
        partition,
        passed=bool(acceptable),
        severity=dg.AssetCheckSeverity.ERROR,
        blocking=blocks_run,
        metadata={
            "pakete": len(packages),
            "annehmbar": len(acceptable),
            "ablehnungsgruende": "\n".join(reasons) or "keine",
        },
    )


def reconcile(con, paket_ids: list[str]) -> dict[str, tuple[int, list[str]]]:
    """Compare each file's bookkeeping with the rows actually present in the raw tables and findings.

    Set-based over all `paket_ids` at once; returns per package the number of files compared and the German
    descriptions of every mismatch. Rejected packages are left out: by contract nothing of them is loaded and
    their rows are not quarantined one by one (the package-level finding covers them).
    """
    present_rows = " union all ".join(
        f"select paket_id, '{file.filename}' as datei, count(*) as zeilen from raw.{name} "
        "where paket_id in (select unnest($ids)) group by all"
        for name, file in CONTRACT_FILES.items()
    )
    rows = con.execute(
        f"""
        with quarantaene as (
            select paket_id, datei, count(distinct zeile) as zeilen from raw.befunde
            where paket_id in (select unnest($ids)) and ergebnis = 'ZEILE_QUARANTAENE' group by all
        ), vorhanden as ({present_rows})
        select d.paket_id, d.datei, d.zeilen_geliefert, d.zeilen_geladen, d.zeilen_quarantaene, l.geladen,
            coalesce(q.zeilen, 0), coalesce(v.zeilen, 0), d.datei in (select unnest($vertrag))
        from raw.lieferungen_dateien d
        join raw.lieferungen l using (paket_id)
        left join quarantaene q using (paket_id, datei)
        left join vorhanden v using (paket_id, datei)
        where d.paket_id in (select unnest($ids)) and l.status <> 'ABGELEHNT'
        order by d.paket_id, d.datei
        """,
        {"ids": paket_ids, "vertrag": [file.filename for file in CONTRACT_FILES.values()]},
    ).fetchall()
    result: dict[str, tuple[int, list[str]]] = {}
    for paket_id, datei, delivered, loaded, quarantined, is_loaded, q_lines, present, in_contract in rows:
        files, mismatches = result.get(paket_id, (0, []))
        if delivered != loaded + quarantined:
            mismatches.append(f"{paket_id[:12]} {datei}: {delivered} ≠ {loaded} + {quarantined}")
        if q_lines != quarantined:
            mismatches.append(f"{paket_id[:12]} {datei}: {q_lines} Quarantänezeilen statt {quarantined}")
        if is_loaded and in_contract and present != loaded:
            table = datei.removesuffix(".csv")
            mismatches.append(f"{paket_id[:12]} {datei}: {present} Zeilen in raw.{table} statt {loaded}")
        result[paket_id] = (files + 1, mismatches)
    return result


def reconciliation_evaluation(
    partition: str, paket_ids: list[str], reconciled: dict[str, tuple[int, list[str]]]
) -> dg.AssetCheckEvaluation:
    files = sum(reconciled.get(paket_id, (0, []))[0] for paket_id in paket_ids)
    mismatches = [text for paket_id in paket_ids for text in reconciled.get(paket_id, (0, []))[1]]
    return _evaluation(
        RECONCILIATION_CHECK,
        partition,
        passed=not mismatches,
        metadata={"dateien": files, "abweichungen": "\n".join(mismatches) or "keine"},
    )
