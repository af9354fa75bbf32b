"""Cross-cutting pieces: errors, auth, guards, jobs, money and time."""
