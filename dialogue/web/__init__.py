"""Controllers per audience, guards, forms and template helpers: thin, HTTP only."""
