"""What a KPI is: the KPI catalogue (names, units, directions, bounds) and the threshold grammar over it.

``python -m carebench.kpis`` prints the docs' KPI page generated from the catalogue.
"""
