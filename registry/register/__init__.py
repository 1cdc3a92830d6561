"""The one submit path: ownership and identity rules, versions, statuses, tokens, seed."""
