"""Self-contained HTML reports, one ``report.html`` per result directory.

A report is built from the files a command left on disk (never from objects
in memory), so ``carebench report DIR`` rebuilds the same bytes, and the
``--json`` summary each command prints is the same document the page shows.
"""
