"""The `raw` schema of the build database: one table per contract file plus delivery bookkeeping.

Contract tables are replaced per partition (`ags`, `berichtsquartal`) so re-runs are idempotent; the
bookkeeping tables keep one row per processed package (`paket_id`) and are never partition-replaced, so the
history of deliveries and corrections survives.
"""

from __future__ import annotations

from pipelines.contract.schema import CONTRACT_FILES, raw_table_ddl

RAW_SCHEMA = "raw"

BOOKKEEPING_DDL = (
    f"""
    CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.lieferungen (
        paket_id VARCHAR PRIMARY KEY,      -- sha256 of the package content (archive name)
        ags VARCHAR NOT NULL,
        berichtsquartal VARCHAR NOT NULL,
        erstellt_am TIMESTAMPTZ,           -- manifest; decides which package is the correction
        eingegangen_am TIMESTAMPTZ,        -- when the package landed (modification time in the landing zone)
        verarbeitet_am TIMESTAMPTZ NOT NULL,
        paketform VARCHAR NOT NULL,        -- ORDNER_CSV, ZIP_CSV, ORDNER_XLSX
        quellsystem VARCHAR,
        datensatz_version VARCHAR,
        archiv_pfad VARCHAR NOT NULL,
        status VARCHAR NOT NULL,           -- ANGENOMMEN, ANGENOMMEN_MIT_HINWEISEN, ABGELEHNT
        geladen BOOLEAN NOT NULL,          -- its rows are the partition's current rows
        zugeordnet BOOLEAN NOT NULL,       -- the partition was assigned after this record (the load finished)
        bericht VARCHAR                    -- the German report (Markdown), as written to berichte/
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.lieferungen_dateien (
        paket_id VARCHAR NOT NULL,
        datei VARCHAR NOT NULL,            -- contract file name, e.g. faelle.csv
        sha256 VARCHAR,
        zeichenkodierung VARCHAR,          -- utf-8, utf-8-sig, cp1252, xlsx
        trennzeichen VARCHAR,
        zeilen_geliefert INTEGER NOT NULL, -- data rows, header excluded
        zeilen_geladen INTEGER NOT NULL,
        zeilen_quarantaene INTEGER NOT NULL,
        PRIMARY KEY (paket_id, datei)
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.befunde (
        paket_id VARCHAR NOT NULL,
        ags VARCHAR NOT NULL,
        berichtsquartal VARCHAR NOT NULL,
        datei VARCHAR,                     -- empty for package-level findings
        zeile INTEGER,                     -- line in the file (header = 1), empty if not row-level
        spalte VARCHAR,
        regel VARCHAR NOT NULL,            -- stable rule id, e.g. TYP_DATUM, CODELISTE
        meldung VARCHAR NOT NULL,          -- German message for the delivering unit
        ergebnis VARCHAR NOT NULL,         -- PAKET_ABGELEHNT, ZEILE_QUARANTAENE, HINWEIS
        rohwerte JSON                      -- the delivered row (pseudonyms re-keyed) for quarantined rows
    )
    """,
)


def create_raw_schema(con) -> None:
    """Create the raw schema and all its tables if missing (idempotent)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    for file in CONTRACT_FILES.values():
        con.execute(raw_table_ddl(file, RAW_SCHEMA))
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
    # Build databases from before these columns: their packages count as not yet assigned, so the next
    # `kim build` processes them again and fills both.
    con.execute(
        f"ALTER TABLE {RAW_SCHEMA}.lieferungen ADD COLUMN IF NOT EXISTS zugeordnet BOOLEAN DEFAULT false"
    )
    con.execute(f"ALTER TABLE {RAW_SCHEMA}.lieferungen ADD COLUMN IF NOT EXISTS bericht VARCHAR")
