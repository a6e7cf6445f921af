"""What a KPI is: names, units, directions and bounds, and the threshold grammar over them."""
