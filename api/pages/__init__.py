"""Server-rendered HTML pages for people (routers of their own, apart from the API's)."""
