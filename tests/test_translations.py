"""Every message has its Vietnamese translation, and the catalogues in use are compiled."""

from babel.messages.pofile import read_po

from dialogue.core import i18n
from dialogue.core.i18n import LOCALE_DIR


def test_every_message_is_translated_to_vietnamese():
    with open(LOCALE_DIR / "vi" / "LC_MESSAGES" / "messages.po", "rb") as source:
        catalog = read_po(source, locale="vi")
    untranslated = [m.id for m in catalog
                    if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_template_catalogue_is_up_to_date():
    """messages.pot lists every string the code and templates use (run `make messages`)."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from dialogue.core.settings import PROJECT_ROOT

    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "fresh.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "--ignore-dirs=.* .venv var",
             "-F", "babel.cfg", "-k", "_", "-k", "N_", "-k", "gettext", "-k", "ngettext:1,2", "--no-location",
             "--sort-output", "-o", str(fresh), "."],
            cwd=PROJECT_ROOT, check=True, capture_output=True,
        )
        with open(fresh, "rb") as source:
            used = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    with open(LOCALE_DIR / "vi" / "LC_MESSAGES" / "messages.po", "rb") as source:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    assert used - known == set(), "run `make messages` and translate the new strings"


def test_the_vietnamese_catalogue_is_compiled_and_used():
    with i18n.language("vi"):
        assert i18n.gettext("Home") == "Trang chủ"
    with i18n.language("en"):
        assert i18n.gettext("Home") == "Home"
