"""The KIM data contract v1 as code: files, columns, types, code lists, header rules."""
