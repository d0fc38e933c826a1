"""Where a query is answered: the search engine (`api.search`) and the HTTP API."""
