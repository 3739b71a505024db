"""The ASGI app. Run: litestar --app app:app run, or `make run`."""

from dialogue.web.app import create_app

app = create_app()
