"""Checks that run inside the load step, against what actually landed in the build database."""

from __future__ import annotations

import dagster as dg

from pipelines.contract.schema import CONTRACT_FILES

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
