"""The Jinja environment's own filters."""

import pytest
from markupsafe import Markup

from dialogue.core.rendering import build_environment, paragraphs


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
