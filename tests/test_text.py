"""Diacritics-insensitive search and tidy input, the Vietnamese way."""

import pytest

from dialogue.core.text import fold, tidy


@pytest.mark.parametrize("text, folded", [
    ("Hà Nội", "ha noi"),
    ("Đống Đa", "dong da"),
    ("PHƯỜNG ĐỐNG ĐA", "phuong dong da"),
    ("Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
    ("  Quảng   Ngãi\n", "quang ngai"),
    ("Ðắk Lắk", "dak lak"),  # U+00D0 (Icelandic eth) is often typed for Đ
    ("", ""),
    (None, ""),
])
def test_fold_removes_diacritics_and_maps_d(text, folded):
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_input_alike():
    composed = "Nguyễn Thị Ánh"
    decomposed = "Nguye\u0302\u0303n Thi\u0323 A\u0301nh"
    assert fold(composed) == fold(decomposed) == "nguyen thi anh"


def test_tidy_normalises_and_removes_invisible_characters():
    assert tidy("Nguye\u0302\u0303n\u200b  Văn\u0000 A") == "Nguyễn Văn A"
    assert tidy("  a\u202eb ") == "a b"
