"""Asset checks of the ingestion: contract suites per file, acceptance of the partition, reconciliation."""

from __future__ import annotations

import dagster as dg

from pipelines.contract.schema import CONTRACT_FILES
from pipelines.ingest.findings import Outcome, Status
from pipelines.ingest.staging import ParsedPackage, read_findings
from pipelines.ingest.validation import ValidatedPackage

CONTRACT_SUITE_CHECKS = [
    dg.AssetCheckSpec(
        name=f"vertrag_{name}",
        asset=dg.AssetKey("paket_geprueft"),
        description=f"Great-Expectations-Suite des Datenvertrags für {file.filename}: Pflichtangaben, Typen, "
        "Codelisten, Wertebereiche, Zeiträume, Querbezüge, Eindeutigkeit, Bezüge auf frühere Lieferungen.",
    )
    for name, file in CONTRACT_FILES.items()
]

ACCEPTANCE_CHECK = dg.AssetCheckSpec(
    name="paket_annehmbar",
    asset=dg.AssetKey("lieferprotokoll"),
    blocking=True,
    description="Mindestens ein Paket der Partition erfüllt den Datenvertrag auf Paketebene; sonst wird nichts "
    "geladen und der zuletzt geladene Stand bleibt.",
)


def _rejections_by_file(package: ParsedPackage) -> dict[str | None, list[str]]:
    findings = read_findings(package)
    rejected = findings[(findings["ergebnis"] == str(Outcome.PACKAGE_REJECTED)) & findings["zeile"].isna()]
    reasons: dict[str | None, list[str]] = {}
    for datei, meldung in zip(rejected["datei"].tolist(), rejected["meldung"].tolist(), strict=True):
        reasons.setdefault(datei if isinstance(datei, str) else None, []).append(meldung)
    return reasons


def contract_suite_results(validated: list[ValidatedPackage]):
    """One result per contract file over the partition's packages.

    Fails with ERROR where the file got a package rejected, with WARN where rows were quarantined or noted;
    neither blocks here: whether anything is loaded is decided once, by `paket_annehmbar`.
    """
    rejections = {item.package.paket_id: _rejections_by_file(item.package) for item in validated}
    for spec in CONTRACT_SUITE_CHECKS:
        filename = CONTRACT_FILES[spec.name.removeprefix("vertrag_")].filename
        suites = [suite for item in validated for suite in item.suites if suite.datei == filename]
        reasons = [reason for by_file in rejections.values() for reason in by_file.get(filename, [])]
        delivered = [file for item in validated for file in item.package.files if file.name == filename]
        quarantined = sum(file.rows_quarantined for file in delivered)
        failed = sum(suite.failed_expectations for suite in suites)
        notices = sum(suite.notices for suite in suites)
        yield dg.AssetCheckResult(
            check_name=spec.name,
            asset_key=spec.asset_key,
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


def acceptance_result(packages: list[ParsedPackage]) -> dg.AssetCheckResult:
    acceptable = [package for package in packages if package.status is not Status.REJECTED]
    reasons = [
        f"{package.paket_id[:12]}: {reason}"
        for package in packages
        if package.status is Status.REJECTED
        for reason in package.rejection_reasons
    ]
    return dg.AssetCheckResult(
        check_name=ACCEPTANCE_CHECK.name,
        asset_key=ACCEPTANCE_CHECK.asset_key,
        passed=bool(acceptable),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "pakete": len(packages),
            "annehmbar": len(acceptable),
            "ablehnungsgruende": "\n".join(reasons) or "keine",
        },
    )


RECONCILIATION_CHECK = dg.AssetCheckSpec(
    name="abgleich_geliefert_geladen_quarantaene",
    asset=dg.AssetKey("raw_tabellen"),
    blocking=True,
    description="Je Datei: gelieferte Zeilen = geladene + in Quarantäne genommene Zeilen, gemessen an den Tabellen.",
)


def reconcile_packages(con, paket_ids: list[str]) -> dg.AssetCheckResult:
    """Compare each file's bookkeeping with the rows actually present in the raw tables and findings.

    Rejected packages are left out: by contract nothing of them is loaded and their rows are not quarantined
    one by one (the package-level finding covers them).
    """
    mismatches = []
    rows = con.execute(
        """
        select d.paket_id, d.datei, d.zeilen_geliefert, d.zeilen_geladen, d.zeilen_quarantaene, l.geladen
        from raw.lieferungen_dateien d join raw.lieferungen l using (paket_id)
        where d.paket_id in (select unnest(?::varchar[])) and l.status <> 'ABGELEHNT'
        """,
        [paket_ids],
    ).fetchall()
    for paket_id, datei, delivered, loaded, quarantined, is_loaded in rows:
        table = datei.removesuffix(".csv")
        quarantined_lines = con.execute(
            "select count(distinct zeile) from raw.befunde "
            "where paket_id = ? and datei = ? and ergebnis = 'ZEILE_QUARANTAENE'",
            [paket_id, datei],
        ).fetchone()[0]
        if delivered != loaded + quarantined:
            mismatches.append(f"{paket_id[:12]} {datei}: {delivered} ≠ {loaded} + {quarantined}")
        if quarantined_lines != quarantined:
            mismatches.append(
                f"{paket_id[:12]} {datei}: {quarantined_lines} Quarantänezeilen statt {quarantined}"
            )
        if is_loaded and table in CONTRACT_FILES:
            present = con.execute(
                f"select count(*) from raw.{table} where paket_id = ?", [paket_id]
            ).fetchone()[0]
            if present != loaded:
                mismatches.append(f"{paket_id[:12]} {datei}: {present} Zeilen in raw.{table} statt {loaded}")
    return dg.AssetCheckResult(
        check_name=RECONCILIATION_CHECK.name,
        asset_key=RECONCILIATION_CHECK.asset_key,
        passed=not mismatches,
        metadata={"dateien": len(rows), "abweichungen": "\n".join(mismatches) or "keine"},
    )
