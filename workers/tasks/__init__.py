"""Tasks by domain. Each loads rows by id and calls a ticketing service."""
