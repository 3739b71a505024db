"""The asker's satisfaction with an answer or a closed commitment (the national SIPAS dimensions)."""
