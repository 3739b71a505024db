"""The app as served in production, plus one route the benchmark needs that no page offers alone:
  GET /bench/similar/{question id}   the similar questions of a question (the screening page's lookup)
Run: uvicorn --factory tests.bench.server:create_bench_app
The references it is compared with are a separate, bare app: tests/bench/reference.py.
"""

from __future__ import annotations

from litestar import Litestar, get
from litestar.params import FromPath

from dialogue.core.settings import get_settings
from dialogue.web.app import create_app


def create_bench_app() -> Litestar:
    app = create_app(get_settings())

    @get("/bench/similar/{question_id:int}")
    async def similar_questions(question_id: FromPath[int]) -> dict:
        from dialogue.questions import screening, similarity

        return {"similar": [s["id"] for s in await similarity.similar(await screening.get_question(question_id))]}

    app.register(similar_questions)
    return app
