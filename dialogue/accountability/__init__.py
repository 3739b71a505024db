"""Public accountability: each conference's results and each agency's figures, lists, exports and feeds."""
