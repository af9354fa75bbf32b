"""Check-in at the door: devices, the online scan, offline uploads and kit, counts."""
