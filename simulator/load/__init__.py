"""Reading scenario files: safe YAML, overrides, and one-line validation errors."""
