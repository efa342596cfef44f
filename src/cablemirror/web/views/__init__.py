"""The HTML pages, one module per kind of page (see ``web/pages.py`` for the routes)."""
