"""Load tests: breaking points on a load multiplier and the cheapest compliant staffing."""
