"""The read side: the read model (lists, search, facets, counts, entry records and
dependency edges, in SQLite, maintained by the writer) and the record builders."""
