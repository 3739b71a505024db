"""Use cases: plain async functions that know nothing of HTTP."""
