"""Every way in (RDF, CSV/XLSX, OpenAPI, DCAT) to one document model."""
