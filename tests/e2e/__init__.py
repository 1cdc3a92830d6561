"""Real `screg serve` processes, a real browser, kills mid-write."""
