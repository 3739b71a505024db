"""The ASGI app. Run: litestar --app app:app run, or `make run`."""

from dialogue.core import logs
from dialogue.core.settings import get_settings
from dialogue.web.app import create_app

logs.configure(get_settings().log_format)
app = create_app()
