"""Errors of the search service."""


class SearchQueryError(ValueError):
    """The query or its filters cannot be searched as given (REST answers 400 with the message)."""
