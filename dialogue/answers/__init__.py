

# The answer facts the leaders' figures count are kept by watchers on the question and answer
# machines: registered whenever answers are in use (see facts.py).
from dialogue.answers import facts as _facts  # noqa: F401
