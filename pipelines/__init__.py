"""KIM-Monitor pipelines: ingestion, demo data, Dagster code location and the `kim` command."""
