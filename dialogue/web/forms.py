"""Reading submitted forms: every value as a plain string, whatever the client sent."""

from __future__ import annotations

from litestar import Request


async def form_data(request: Request) -> dict[str, str]:
    """The form's fields; repeated fields keep their last value, files are ignored."""
    form = await request.form()
    data: dict[str, str] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            data[key] = value
    return data
