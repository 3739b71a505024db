"""The Jinja environment's own filters, and the rule that page templates link by route name."""

import re

import pytest
from jinja2 import nodes
from markupsafe import Markup

from dialogue.core.rendering import TEMPLATES_DIR, build_environment, paragraphs

PAGE_TEMPLATES = sorted(
    path for path in TEMPLATES_DIR.rglob("*.html") if path.relative_to(TEMPLATES_DIR).parts[0] != "emails"
)


def test_paragraphs_gives_one_paragraph_per_line_and_skips_blank_ones():
    text = "First line\n\n   \nSecond line\n\nThird"
    assert paragraphs(text) == "<p>First line</p><p>Second line</p><p>Third</p>"


def test_paragraphs_escapes_html():
    html = paragraphs('<script>alert("x")</script>\nA & B')
    assert isinstance(html, Markup)
    assert html == "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p><p>A &amp; B</p>"


@pytest.mark.parametrize("text", ["", "\n \n", None])
def test_paragraphs_of_nothing_is_nothing(text):
    assert paragraphs(text) == ""


def test_the_paragraphs_filter_renders_like_the_loop_it_replaces():
    env = build_environment()
    text = "<b>bold?</b>\n\n  indented\nlast "
    loop = env.from_string(
        '{% for paragraph in text.split("\\n") if paragraph.strip() %}<p>{{ paragraph }}</p>{% endfor %}'
    ).render(text=text)
    assert env.from_string("{{ text | paragraphs }}").render(text=text) == loop
    assert "<b>" not in loop


# --- Links in page templates ----------------------------------------------------------------

LITERAL_PATH = re.compile(r"""\b(?:href|action|formaction|src)\s*=\s*["']/""")


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_page_templates_have_no_literal_site_paths(path):
    """Links and form targets come from url_for("route_name", ...), static assets from static_url(...).
    (E-mail templates are rendered without a request and get absolute URLs in their context.)"""
    found = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if LITERAL_PATH.search(line)]
    assert not found, f"use url_for(...) instead of a literal path in {path.name}: {found}"


def url_for_calls():
    """(template, route name, keyword names) of every url_for("name", ...) in the page templates."""
    env = build_environment()
    for path in PAGE_TEMPLATES:
        tree = env.parse(path.read_text(encoding="utf-8"))
        for call in tree.find_all(nodes.Call):
            if (isinstance(call.node, nodes.Name) and call.node.name == "url_for"
                    and isinstance(call.args[0], nodes.Const)):
                yield path.relative_to(TEMPLATES_DIR), call.args[0].value, {kw.key for kw in call.kwargs}


def test_the_templates_do_use_url_for():
    assert len(list(url_for_calls())) > 60


async def test_every_url_for_in_the_templates_names_a_route_with_those_parameters(client):
    app = client.app
    wrong = []
    for template, name, keywords in url_for_calls():
        index = app.get_handler_index_by_name(name)
        if index is None:
            wrong.append(f"{template}: no route named {name!r}")
            continue
        parameters = {p for route_path in index["paths"] for p in re.findall(r"\{(\w+):", route_path)}
        if keywords != parameters:
            wrong.append(f"{template}: {name} takes {sorted(parameters)}, given {sorted(keywords)}")
    assert not wrong, "\n".join(wrong)
