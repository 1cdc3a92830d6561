"""The read side of the registry: the questions people ask (lists, search, filters,
counts, who refers to what), answered from a read model persisted beside the store
(`registry.read.model`) rather than from the store itself."""
