"""Podium: shared ticketing for Flemish culture houses."""
