"""Seat-map layouts: the document format, validation, a generator and SVG rendering (pure)."""
