"""The read side: lists, search, facets, counts and entry records for people."""
