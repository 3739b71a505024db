"""The app the browser tests serve: the real app, its clock started at the suite's pinned moment."""

from dialogue.web.app import create_app
from tests.pinned import running_clock

app = create_app(clock=running_clock())
