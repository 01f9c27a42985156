"""Jobs: load package partitions (one or a range per run); rebuild and publish the warehouse."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingestion.assets import pakete_verarbeiten
from pipelines.defs.publication.assets import warehouse_veroeffentlicht
from pipelines.defs.transformation.assets import kim_dbt_modelle

pakete_laden = dg.define_asset_job(
    name="pakete_laden",
    description="Archiviert, liest, prüft, protokolliert und lädt die Lieferungen der Partitionen des Laufs "
    "(Kommune × Quartal; eine oder ein ganzer Bereich in einem Lauf).",
    selection=dg.AssetSelection.assets(pakete_verarbeiten),
)

warehouse_aufbauen = dg.define_asset_job(
    name="warehouse_aufbauen",
    description="Baut Referenzdaten, Kennzahlen und Lieferstatus mit dbt und veröffentlicht das Warehouse.",
    selection=dg.AssetSelection.assets(kim_dbt_modelle, warehouse_veroeffentlicht),
)
