"""Events (productions), performances (dated occurrences), prices per zone, tariffs."""
