"""``python -m carebench.kpis > docs/kpis.md``: print the docs' KPI page, generated from the catalogue."""

import sys

from carebench.kpis.catalogue import markdown

sys.stdout.write(markdown())
