"""Orders: checkout from a basket, tickets, box office, reservations, till, history."""
