"""Reading submitted forms: every value as a plain string, whatever the client sent."""

from __future__ import annotations

from litestar import Request


async def form_data(request: Request, lists: tuple[str, ...] = ()) -> dict[str, str]:
    """The form's fields; repeated fields keep their last value, files are ignored. Fields named in
    `lists` (checkbox groups of ids) keep every value, joined by commas."""
    form = await request.form()
    data: dict[str, str] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            data[key] = value
    for key in lists:
        data[key] = ",".join(value for value in form.getall(key, []) if isinstance(value, str))
    return data
