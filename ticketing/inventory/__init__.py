"""Live inventory: seat and standing allocations, holds, best available."""
