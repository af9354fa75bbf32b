"""Demo data and the one-command demo launcher. Everything here is DEMO data."""
