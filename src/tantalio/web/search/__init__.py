"""Full-text search of a case (SQLite FTS5): the index (index.py), query parsing (query.py) and
hits resolved against the current analysis (results.py). Used by the web UI and `tantalio search`."""

from tantalio.web.search.index import Backlog, backlog, rebuild, refresh
from tantalio.web.search.results import KINDS, Filters, run

__all__ = ["KINDS", "Backlog", "Filters", "backlog", "rebuild", "refresh", "run"]
