"""Tickets: issuing (signing, QR, PDF and mail come with the tickets issue)."""
