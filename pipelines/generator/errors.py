"""The generator's own error: raised with a German message the `kim` command shows as it is."""


class GeneratorError(Exception):
    """Demo data cannot be generated with the given arguments or target directory."""
