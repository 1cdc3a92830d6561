"""The compiled SHACL engine, its pyshacl fallback, and reports."""
