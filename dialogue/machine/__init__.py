"""The layer every domain changes state through: actors and permissions, the action log, live
events, and the one transition helper (transitions.py)."""
