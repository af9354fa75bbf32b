"""Venues (addresses) and the halls in them."""
