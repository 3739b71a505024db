"""Dialogue: dialogue conferences between a local government and its residents."""
