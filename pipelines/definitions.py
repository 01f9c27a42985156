"""The KIM-Monitor code location: `dagster dev -m pipelines.definitions`."""

from pipelines.config import apply_offline_environment

apply_offline_environment()

from pipelines.defs import build_definitions  # noqa: E402

defs = build_definitions()
