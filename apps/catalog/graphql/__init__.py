"""The catalog's GraphQL schema: types, queries, mutations and their loaders."""
