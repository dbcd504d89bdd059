"""Read-only GraphQL of harvest sources (never their secrets) and runs."""
