"""Great Expectations suites of the KIM data contract and the validation the pipeline runs with them.

Importing this package is cheap: Great Expectations itself is imported only when a package is validated.
"""

from expectations.validate import (
    SuiteResult,
    ValidationOutcome,
    ValidationParameters,
    validate_package,
    validate_packages,
)

__all__ = [
    "SuiteResult",
    "ValidationOutcome",
    "ValidationParameters",
    "validate_package",
    "validate_packages",
]
