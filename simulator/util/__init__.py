"""Small pieces every layer uses: errors, units, the version and the atomic writer."""
