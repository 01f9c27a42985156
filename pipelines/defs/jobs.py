"""Jobs: load one package partition; rebuild and publish the warehouse."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingestion.assets import (
    lieferprotokoll,
    paket_archiv,
    paket_geparst,
    paket_geprueft,
    raw_tabellen,
)
from pipelines.defs.publication.assets import warehouse_veroeffentlicht
from pipelines.defs.transformation.assets import kim_dbt_modelle

pakete_laden = dg.define_asset_job(
    name="pakete_laden",
    description="Archiviert, liest, prüft, protokolliert und lädt die Lieferung(en) einer Kommune für ein Quartal.",
    selection=dg.AssetSelection.assets(
        paket_archiv, paket_geparst, paket_geprueft, lieferprotokoll, raw_tabellen
    ),
)

warehouse_aufbauen = dg.define_asset_job(
    name="warehouse_aufbauen",
    description="Baut Referenzdaten, Kennzahlen und Lieferstatus mit dbt und veröffentlicht das Warehouse.",
    selection=dg.AssetSelection.assets(kim_dbt_modelle, warehouse_veroeffentlicht),
)
