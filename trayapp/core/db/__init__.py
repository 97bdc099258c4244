"""The billing database: the only package with SQL in it.

``connection`` opens and migrates (SQLite; ``postgres`` the same for PostgreSQL, ``dialect``
what differs in SQL text); the query modules beside it hold the SQL of one
concern each (billing data and import, registries, the file journal, documents).
"""

from trayapp.core.db.connection import Database, IntegrityError, now_text, open_database

__all__ = ["Database", "IntegrityError", "now_text", "open_database"]
