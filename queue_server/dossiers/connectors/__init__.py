"""Connectors feeding the dossier mirror from the upstream one-stop system.

``mapping`` (pure) turns one upstream row into a
:class:`~queue_server.dossiers.record.DossierRecord` with a configurable field
mapping; ``file_import`` reads CSV and XLSX files all-or-nothing; ``webhook``
checks signed pushes; ``pull`` fetches pages from a REST endpoint with an
incremental cursor.
"""
