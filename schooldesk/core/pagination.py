"""The API's list pages (REST framework's DEFAULT_PAGINATION_CLASS). Apart from core/api.py, which imports REST
framework's views: the settings import this before those views exist."""

from rest_framework.pagination import CursorPagination


class DeskCursorPagination(CursorPagination):
    """Cursor pages (`?cursor=`), newest first by id: stable while rows are added, and as fast on page 500 as on
    page 1. `?page_size=` up to 200."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
