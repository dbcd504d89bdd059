"""REST API of the catalog (``/api/v1/``): domains, products, ports, ownership, datasets, teams."""
