"""GraphQL at ``/graphql``: the root schema composed from the apps' schemas, the view with
its depth / cost / alias / page-size limits, and the per-request batching loaders."""
