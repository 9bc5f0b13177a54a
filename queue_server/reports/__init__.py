"""Reports for supervisors: figures per site, service, counter and officer over a period,
their XLSX and PDF exports, and the regulation schedule that generates and stores them.

``periods`` and ``figures`` are pure; ``queries`` aggregates in SQL; ``xlsx``, ``pdf`` and
``charts`` render; ``store`` keeps generated files.
"""
