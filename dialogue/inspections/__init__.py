"""Surprise re-inspection rounds: an unannounced sample of commitments reported done, checked on the ground."""
