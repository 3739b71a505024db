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
    assert tidy("  a\u202eb ") == "ab"  # an invisible character leaves no space


@pytest.mark.parametrize("emoji", [
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # a family: four people, three joiners
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # the rainbow flag: a variation selector, then the joiner
    "\u2764\ufe0f\u200d\U0001f525",  # heart on fire
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # a woman technologist with a skin tone
    "\U0001f3c3\u200d\u2640\ufe0f",  # a woman running
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # the flag of Scotland (tags)
    "\u0031\ufe0f\u20e3",  # keycap one
])
def test_tidy_keeps_emoji_sequences_whole(emoji):
    text = f"Cảm ơn phường {emoji} rất nhiều"
    assert tidy(text) == text
    assert tidy(f"{emoji}\n") == emoji


def test_tidy_removes_the_invisible_characters_that_do_harm():
    # bidi controls (they reorder what is shown), zero-width spaces, soft hyphens, the BOM, word
    # joiners, and joiners or tags that join no emoji: removed without leaving a space.
    assert tidy("Ng\u00aduy\u200bễn\u2060 V\ufeffăn\u200d A") == "Nguyễn Văn A"
    assert tidy("abc\u202edef\u2066g\u2069\u200e") == "abcdefg"
    assert tidy("\u200d\U0001f468 a\u200d\U0001f469 \U0001f468\u200d") == "\U0001f468 a\U0001f469 \U0001f468"
    assert tidy("Cờ\U000e0067\U000e0062") == "Cờ"
    assert tidy("a\u0000b\u0007c") == "a b c"  # control characters become spaces


def test_tidy_drops_noncharacters_and_lone_surrogates_that_xml_refuses():
    from dialogue.core.text import paragraphs, tidy

    assert tidy("Ngập\uffff úng\ufffe") == "Ngập úng"
    assert tidy("a\ud800b\ufdd0c") == "abc"
    assert paragraphs("dòng một\uffff\ndòng hai") == "dòng một\ndòng hai"
    assert tidy("\U0001f600 cười") == "\U0001f600 cười"  # characters outside the BMP stay
