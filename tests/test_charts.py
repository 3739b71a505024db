"""The SVG chart macros (templates/_partials/charts.html) rendered through the app's Jinja environment:
their structure (an image labelled by its title and description, a table with the same numbers and
the drill-down links), edge cases that must not break them, and the Nu HTML checker on a page of them."""

import json
import re
import subprocess

import pytest
from lxml import html as lxml_html

from dialogue.core import i18n
from dialogue.core.rendering import build_environment
from tests.browser.conftest import JAVA, html_checker_missing, vnu_jar

LONG_LABEL = ("Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp thành phố Hà Nội "
              "chi nhánh phía Tây")[:120].ljust(120, "x")


@pytest.fixture(scope="module")
def charts():
    return build_environment().get_template("_partials/charts.html").module


def render(macro, *args, **kwargs):
    with i18n.language("vi"):
        return str(macro(*args, **kwargs))


def figure_of(markup: str):
    tree = lxml_html.fragment_fromstring(markup, create_parent="div")
    [figure] = tree.findall(".//figure")
    return figure


def assert_labelled_image(figure, title: str, description: str):
    """One role=img SVG whose aria-labelledby names its own <title> and <desc>, no link inside it."""
    [svg] = figure.findall("svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f".//title[@id='{title_id}']").text_content() == title
    assert svg.find(f".//desc[@id='{desc_id}']").text_content() == description
    assert not svg.findall(".//a"), "a link inside role=img cannot be reached (nested interactive)"
    assert figure.find("figcaption").text_content() == title


def body_rows(figure):
    table = figure.find(".//table")
    assert table.find("caption") is not None
    return [[cell.text_content().strip() for cell in row] for row in table.findall("tbody/tr")]


def bar_widths(figure) -> list[str]:
    return [r.get("width") for r in figure.findall(".//svg/g/rect") if "chart__bar" in r.get("class").split()]


def bar(label, value, display=None, href=None, highlight=False):
    return {"label": label, "value": value, "display": display or ("" if value is None else f"{value} %"),
            "href": href, "highlight": highlight}


# --- bar_chart --------------------------------------------------------------------------------

def test_a_bar_chart_has_its_labelled_image_and_a_table_with_the_same_numbers_and_links(charts):
    rows = [bar("Sở Xây dựng", 40, href="/late?agency=2", highlight=True), bar("Sở Y tế", 100, href="/a?b=1&c=2"),
            bar("Công an", 0), bar("Sở Tài chính", None)]
    figure = figure_of(render(charts.bar_chart, "ontime", "Đúng hạn", "Sở Xây dựng thấp nhất.", rows))
    assert figure.get("id") == "ontime"
    assert_labelled_image(figure, "Đúng hạn", "Sở Xây dựng thấp nhất.")
    table_rows = body_rows(figure)
    assert [row[0].replace("▲ ", "") for row in table_rows] == [
        "Sở Xây dựng (cần chú ý)", "Sở Y tế", "Công an", "Sở Tài chính"]
    assert [row[1] for row in table_rows] == ["40 %", "100 %", "0 %", "— không có số liệu"]
    assert [a.get("href") for a in figure.findall(".//table//a")] == ["/late?agency=2", "/a?b=1&c=2"]
    assert all(th.get("scope") == "row" for th in figure.findall(".//tbody/tr/th"))
    # The highlighted bar: another colour, hatching and a marker; 100 % fills the span, 0 draws nothing wide.
    assert bar_widths(figure) == ["32.00%", "80.00%", "0.00%"]
    assert "▲" in figure.find(".//svg").text_content()
    assert "—" in figure.find(".//svg").text_content()  # no data: a dash, no bar


def test_html_in_a_label_is_escaped(charts):
    markup = render(charts.bar_chart, "x", "<i>t</i>", "<b>d</b>", [bar("<script>alert(1)</script>", 5)])
    assert "<script>" not in markup and "<i>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    figure = figure_of(markup)
    assert body_rows(figure)[0][0] == "<script>alert(1)</script>"


def test_a_long_vietnamese_label_wraps_into_at_most_three_lines_and_stays_whole_in_the_table(charts):
    figure = figure_of(render(charts.bar_chart, "x", "T", "D", [bar(LONG_LABEL, 50)]))
    lines = [t.text_content() for t in figure.findall(".//svg//text[@class='chart__label']")]
    assert 2 <= len(lines) <= 3 and all(len(line) <= 40 for line in lines)
    assert body_rows(figure)[0][0] == LONG_LABEL


def test_forty_rows_give_forty_bars_and_forty_table_rows(charts):
    rows = [bar(f"Cơ quan {n}", n * 2.5, display=f"{n * 2.5:.0f} %") for n in range(40)]
    figure = figure_of(render(charts.bar_chart, "x", "T", "D", rows))
    assert len(figure.findall(".//svg//g")) == 40
    assert len(body_rows(figure)) == 40


@pytest.mark.parametrize("rows", [[], None])
def test_no_rows_say_there_is_nothing_to_show(charts, rows):
    markup = render(charts.bar_chart, "x", "T", "D", rows)
    assert "Chưa có số liệu để hiển thị." in markup and "<svg" not in markup


def test_all_values_missing_or_a_scale_of_zero_draw_no_bar_and_do_not_fail(charts):
    rows = [bar("A", None), bar("B", None)]
    figure = figure_of(render(charts.bar_chart, "x", "T", "D", rows, max_value=0))
    assert bar_widths(figure) == []
    assert [row[1] for row in body_rows(figure)] == ["— không có số liệu"] * 2


def test_values_beyond_the_scale_are_drawn_at_its_ends(charts):
    figure = figure_of(render(charts.bar_chart, "x", "T", "D", [bar("A", 130), bar("B", -5)], unit="", max_value=100))
    widths = bar_widths(figure)
    assert widths == ["80.00%", "0.00%"]


# --- breakdown_chart --------------------------------------------------------------------------

def test_a_breakdown_shows_counts_and_shares_scaled_to_the_largest(charts):
    rows = [{"label": "Đất đai", "count": 1234, "href": "/t/1"}, {"label": "Môi trường", "count": 310, "href": None},
            {"label": "Khác", "count": 0, "href": "/t/3"}]
    figure = figure_of(render(charts.breakdown_chart, "topics", "Theo chủ đề", "Đất đai nhiều nhất.", rows))
    assert_labelled_image(figure, "Theo chủ đề", "Đất đai nhiều nhất.")
    assert body_rows(figure) == [["Đất đai", "1.234", "80 %"], ["Môi trường", "310", "20 %"], ["Khác", "0", "0 %"]]
    assert [a.get("href") for a in figure.findall(".//table//a")] == ["/t/1", "/t/3"]
    widths = bar_widths(figure)
    assert widths[0] == "80.00%" and widths[2] == "0.00%"


def test_a_breakdown_of_zeros_divides_by_nothing(charts):
    rows = [{"label": "A", "count": 0, "href": None}, {"label": "B", "count": 0, "href": None}]
    figure = figure_of(render(charts.breakdown_chart, "x", "T", "D", rows))
    assert body_rows(figure) == [["A", "0", "—"], ["B", "0", "—"]]


def test_a_breakdown_of_one_row_and_of_none(charts):
    figure = figure_of(render(charts.breakdown_chart, "x", "T", "D", [{"label": "A", "count": 7, "href": None}]))
    assert body_rows(figure) == [["A", "7", "100 %"]]
    assert "<svg" not in render(charts.breakdown_chart, "x", "T", "D", [])


# --- trend_chart ------------------------------------------------------------------------------

SERIES = [{"label": f"Cơ quan {n}", "values": [None if (m + n) % 5 == 0 else (m * 9 + n * 7) % 101 for m in range(12)]}
          for n in range(5)]
MONTHS = [f"{m:02d}/26" for m in range(1, 13)]


def test_a_trend_has_a_line_and_its_own_marker_per_series_a_legend_and_a_table_per_month(charts):
    figure = figure_of(render(charts.trend_chart, "trend", "Theo tháng", "Mười hai tháng.", MONTHS, SERIES))
    assert_labelled_image(figure, "Theo tháng", "Mười hai tháng.")
    lines = figure.findall(".//svg[@class='chart__lines']/path")
    assert len(lines) == 5
    assert len({p.get("stroke-dasharray") for p in lines}) == 5  # dashes differ, not colours alone
    assert len(figure.findall(".//ul[@class='chart__legend']/li")) == 5
    table_rows = body_rows(figure)
    assert [row[0] for row in table_rows] == MONTHS
    assert table_rows[0][1:] == ["— không có số liệu", "7 %", "14 %", "21 %", "28 %"]
    # Gridlines at 0, 25, 50, 75 and 100 %.
    ticks = [t.text_content() for t in figure.findall(".//svg//text") if "chart__tick--y" in t.get("class")]
    assert ticks == ["0 %", "25 %", "50 %", "75 %", "100 %"]


def test_gaps_break_a_line_and_a_trend_of_nothing_but_gaps_draws_no_line(charts):
    figure = figure_of(render(charts.trend_chart, "x", "T", "D", ["01/26", "02/26", "03/26", "04/26"],
                              [{"label": "A", "values": [10, None, 30, 40]}, {"label": "B", "values": [None] * 4}]))
    [line] = figure.findall(".//svg[@class='chart__lines']/path")
    assert line.get("d").count("M") == 2
    assert [row[2] for row in body_rows(figure)] == ["— không có số liệu"] * 4


def test_a_trend_of_one_month_short_values_or_no_series_does_not_fail(charts):
    figure = figure_of(render(charts.trend_chart, "x", "T", "D", ["01/26"], [{"label": "A", "values": [100]}]))
    assert body_rows(figure) == [["01/26", "100 %"]]
    figure = figure_of(render(charts.trend_chart, "x", "T", "D", MONTHS, [{"label": "A", "values": [1, 2]}]))
    assert len(body_rows(figure)) == 12
    assert "<svg" not in render(charts.trend_chart, "x", "T", "D", MONTHS, [])
    assert "<svg" not in render(charts.trend_chart, "x", "T", "D", [], SERIES)


def test_on_a_phone_only_every_other_month_of_a_year_is_labelled(charts):
    figure = figure_of(render(charts.trend_chart, "x", "T", "D", MONTHS, SERIES))
    x_ticks = [t for t in figure.findall(".//svg//text") if t.get("text-anchor") == "middle"]
    assert len(x_ticks) == 12
    assert len([t for t in x_ticks if "chart__tick--minor" not in t.get("class")]) == 6


# --- sparkline --------------------------------------------------------------------------------

def test_a_sparkline_is_a_small_image_labelled_by_its_values(charts):
    markup = render(charts.sparkline, [80, 75, None, 90, 100], "Đúng hạn: 80 %, 75 %, —, 90 %, 100 %")
    svg = lxml_html.fragment_fromstring(markup)
    assert (svg.tag, svg.get("role"), svg.get("width"), svg.get("height")) == ("svg", "img", "80", "20")
    assert svg.get("aria-label") == "Đúng hạn: 80 %, 75 %, —, 90 %, 100 %"
    assert svg.find(".//path").get("d").count("M") == 2


@pytest.mark.parametrize("values", [[], None, [None, None], [0, 0], [5]])
def test_a_sparkline_of_little_or_nothing_does_not_fail(charts, values):
    markup = render(charts.sparkline, values, "<b>x</b>")
    assert 'role="img"' in markup and "<b>" not in markup


# --- the Nu HTML checker ----------------------------------------------------------------------

def sample_page(charts) -> str:
    parts = [
        render(charts.bar_chart, "bars", "Đúng hạn", "D", [
            bar("Sở <b>Xây</b> dựng", 40, href="/x?a=1&b=2", highlight=True), bar(LONG_LABEL, 100), bar("C", None)]),
        render(charts.bar_chart, "empty", "Trống", "D", []),
        render(charts.breakdown_chart, "topics", "Chủ đề", "D", [{"label": "A", "count": 0, "href": "/t"}]),
        render(charts.trend_chart, "trend", "Theo tháng", "D", MONTHS, SERIES),
        "<table><caption>Nhỏ</caption><tr><th scope='row'>A</th><td>"
        + render(charts.sparkline, [1, None, 3], "1, —, 3") + "</td></tr></table>",
    ]
    return ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Biểu đồ</title></head>'
            "<body><main>" + "".join(parts) + "</main></body></html>")


def test_the_nu_html_checker_finds_no_error_in_a_page_of_charts(charts, tmp_path):
    if html_checker_missing():
        pytest.skip(html_checker_missing())
    page = tmp_path / "charts.html"
    page.write_text(sample_page(charts), encoding="utf-8")
    result = subprocess.run([JAVA, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", str(page)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [m for m in messages if m.get("type") == "error"] == []
    assert result.returncode == 0, result.stderr
    ids = re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids))
