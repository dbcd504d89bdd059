"""Page-number pagination with a client-chosen page size, capped so no page is unbounded."""

from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


class MeshPagination(PageNumberPagination):
    """``?page=N&page_size=M`` (M ≤ 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
