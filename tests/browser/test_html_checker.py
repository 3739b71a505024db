"""The Nu HTML checker itself: it runs here (or the skip says why), and it catches what it must."""

import pytest

from tests.browser.conftest import html_checker_missing, nu_errors


def test_the_nu_html_checker_catches_duplicate_ids_and_bad_times(tmp_path):
    if html_checker_missing():
        pytest.skip(f"SKIPPED: the Nu HTML check of every page the browser tests visit: {html_checker_missing()}")
    good = ('<!DOCTYPE html><html lang="vi"><head><title>x</title></head><body><main id="main">'
            '<time datetime="2026-12-07T10:00:00+07:00">10:00</time></main></body></html>')
    bad = good.replace("<time", '<input id="main"><time').replace("10:00:00+", "10:00:00.123456+")
    assert nu_errors([("/good", good)], tmp_path) == []
    errors = nu_errors([("/bad", bad)], tmp_path)
    assert any("/bad" in e and "Duplicate ID" in e for e in errors), errors
    assert any("/bad" in e and "datetime" in e for e in errors), errors
