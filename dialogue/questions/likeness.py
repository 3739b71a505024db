"""What makes two questions the same matter: the same place and the same problem.

Pure functions, no database. A question's *profile* is computed once, when it is written, and
stored beside it (similarity.py): its normalised text, the places it names (house number, alley,
residential group, street, ward, project), the problems it is about, and its content words.
Comparing two profiles gives the features a calibrated logistic model turns into the likelihood
that an organiser would merge them (calibrated on tests/data/similar/dev.json by
`python -m tests.similar_quality --calibrate`).

Vietnamese is written here folded (no diacritics, đ as d), because half of what residents type on
phones has none; the places' names are read with their capitals when the text has them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice, pairwise

from rapidfuzz import fuzz
from vietnam_provinces import Province

from dialogue.core.text import fold
from dialogue.core.vocabulary import N_

# --- Normalising ---------------------------------------------------------------------------------

# A folded Vietnamese syllable: an initial consonant, vowels, a final consonant.
_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")
# What Telex leaves in a word the phone did not convert: "dduwowngf" for "đường".
_TELEX = (("dd", "d"), ("aa", "a"), ("aw", "a"), ("ee", "e"), ("oo", "o"), ("ow", "o"), ("uw", "u"), ("w", "u"))
_TOKEN = re.compile(r"[a-z0-9]+(?:/[a-z0-9]+)*")
# Abbreviations residents use, written out so that "TDP 7" and "tổ dân phố số 7" compare.
_ABBREVIATIONS = {
    "tdp": "to dan pho", "kp": "khu pho", "kdt": "khu do thi", "kdc": "khu dan cu", "ktt": "khu tap the",
    "kcn": "khu cong nghiep", "ccn": "cum cong nghiep", "tp": "thanh pho", "tt": "thi tran", "ql": "quoc lo",
    "bhyt": "bao hiem y te", "bhxh": "bao hiem xa hoi", "gpmb": "giai phong mat bang", "tdc": "tai dinh cu",
    "gcn": "giay chung nhan", "qsdd": "quyen su dung dat", "cccd": "can cuoc cong dan", "mn": "mam non",
    "th": "tieu hoc", "ubnd": "ubnd", "hkd": "ho kinh doanh", "dvc": "dich vu cong", "pccc": "phong chay chua chay",
    "p": "phuong", "q": "quan", "d": "duong", "h": "hem", "k": "kiet", "ng": "ngo", "x": "xa", "cc": "chung cu",
}


def _clean_word(word: str) -> str:
    """A word as it was meant: Telex residue and doubled letters removed where that gives a syllable."""
    if word.isdigit() or _SYLLABLE.match(word) or not word.isalpha():
        return word
    cleaned = word
    for typed, meant in _TELEX:
        cleaned = cleaned.replace(typed, meant)
    if len(cleaned) > 1 and cleaned[-1] in "sfrxj" and _SYLLABLE.match(cleaned[:-1]):
        cleaned = cleaned[:-1]  # the tone key typed after the word
    if not _SYLLABLE.match(cleaned):
        cleaned = re.sub(r"([a-z])\1+", r"\1", cleaned)
        if len(cleaned) > 1 and cleaned[-1] in "sfrxj" and _SYLLABLE.match(cleaned[:-1]):
            cleaned = cleaned[:-1]
    return cleaned if _SYLLABLE.match(cleaned) else word


def words_of(text: str) -> list[str]:
    """The folded words of a text, Telex residue cleaned and abbreviations written out."""
    out: list[str] = []
    for token in _TOKEN.findall(fold(text).replace("đ", "d")):
        token = _clean_word(token)
        out.extend(_ABBREVIATIONS.get(token, token).split())
    # Streets named after a date: "3 Tháng 2" is written "3/2" as often.
    for index in range(len(out) - 2, 0, -1):
        if out[index] == "thang" and out[index - 1].isdigit() and out[index + 1].isdigit():
            out[index - 1:index + 2] = [f"{out[index - 1]}/{out[index + 1]}"]
    return out


# --- Words that say nothing about the matter -------------------------------------------------------

STOPWORDS = frozenset("""
a ah ai anh ba bac ban bang bao bay be bi bo boi buc ca cac cai cam can cho chi chinh chu chua chuc chung co
con cong cu cua cuoc cuu da dan dang day de den deu di dia do doi dong du duoc duoi em gan gi gia giai gio gui
ha hai hanh hay hien hoi hon hop khac khi kho khong kien kinh la lai lam len lien luc ly ma mai moi mong muon
nam nao nay neu ngay nghi ngoai nguoi nhan nhanh nhat nhieu nhu nhung no noi nua o ong phai phan phuong quan
quyet ra rang rat roi sao se som sau so su ta tai tam tan thac that the them theo thi thoi thu thuc thuong
tinh to toi tra tran trang tren trinh trong truoc tu tuc uy va van vao ve viec vi voi vu xa xem xet xin xuc
xuyen y ubnd nhan dan kinh gui de nghi kinh mong som cam on vay thuoc hien tuy thanh
""".split())  # noqa: SIM905 (a list of words reads best as words)
# Words that mark a place; the place's own value is compared, not these.
PLACE_WORDS = frozenset("""
so nha ngo ngach hem kiet to dan pho khu thon xom ap duong phuong xa quoc lo
""".split())  # noqa: SIM905 (a list of words reads best as words)

# --- Places ----------------------------------------------------------------------------------------

_NUMBER = r"(\d+[a-z]?(?:/\d+[a-z]?)*)"
_ALLEY = re.compile(rf"\b(ngo|ngach|hem|kiet)\s+(?:so\s+)?{_NUMBER}")
# The street an alley is on, when it follows the alley's number: "ngõ 12 Chùa Bộc", "hẻm 45 Lê Văn Sỹ".
_ALLEY_STREET = re.compile(r"(?<!\w)(?i:ngõ|ngách|hẻm|kiệt|ngo|ngach|hem|kiet)\s+(?:(?i:số|so)\s+)?\d+[\w/]*\s+"
                           r"(?=((?:[\w/.-]+[ \t]*){1,4}))")
_HOUSE = re.compile(rf"\b(?:so nha|nha so|can nha so|can ho so|nha)\s+(?:so\s+)?{_NUMBER}"
                    rf"|\bso\s+{_NUMBER}(?=\s+(?:ngo|ngach|hem|kiet|duong|pho)\b)")
_GROUP = re.compile(rf"\b(to dan pho|khu pho|khom|khoi|to|thon|xom|ap|khu|khu vuc|doi)\s+(?:so\s+)?{_NUMBER}")
_NUMBERED_ROAD = re.compile(rf"\b(quoc lo|tinh lo|duong so|duong)\s+{_NUMBER}")
# Named places, read from the text with its capitals (folded, case kept): "phố Kim Mã", "KĐT Linh
# Đàm", "chung cư CT2". Markers in folded words; a school keeps its level in its name.
_NAMED = {
    "street": ("duong", "pho", "d.", "quoc lo", "tinh lo", "dai lo"),
    "ward": ("phuong", "xa", "thi tran", "dac khu", "p."),
    "group": ("thon", "xom", "ap", "ban", "khom", "lang", "khu pho", "kp", "khu vuc", "khu", "to dan pho", "tdp"),
    "alley": ("ngo", "ngach", "hem", "kiet"),
    "project": ("du an", "khu do thi", "kdt", "chung cu", "toa nha", "khu tap the", "ktt", "khu dan cu", "kdc",
                "khu cong nghiep", "kcn", "cum cong nghiep", "truong", "cho", "cong vien", "ho", "cau", "benh vien",
                "tram y te", "nha van hoa", "kenh", "song", "nha may", "cong ty", "ben xe", "toa", "block", "lo"),
}
_SCHOOL_LEVELS = {"mam non": "mam non", "mn": "mam non", "tieu hoc": "tieu hoc", "th": "tieu hoc", "thcs": "thcs",
                  "trung hoc co so": "thcs", "thpt": "thpt", "trung hoc pho thong": "thpt"}
_SCHOOL = re.compile(
    r"(?<![\w])(?:(?i:truong)\s+)?("
    + "|".join(rf"(?i:{re.escape(level)})" for level in sorted(_SCHOOL_LEVELS, key=len, reverse=True))
    + r")\s+(?=(\S+(?:\s+\S+){0,3}))")
_NAMED_PATTERNS = {
    # The word before the marker (1), the marker (2), the words after it (3, not consumed).
    kind: re.compile(r"(?<!\S)(?:(\S+)\s+)?(?i:("
                     + "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
                     + r"))\s+(?:so\s+)?(?=(\S+(?:\s+\S+){0,3}))")
    for kind, markers in _NAMED.items()
}


def _name_words(words: str) -> str:
    """The leading words of a place's name: capitalised, or a code with digits ("CT2", "3/2")."""
    name = []
    for raw in words.split():
        word = raw.strip(".,;:!?()-\"'")
        if word and (word[0].isupper() or any(ch.isdigit() for ch in word)) and word.lower() not in _LOWER_STOP:
            name.append(word)
        else:
            break
        if raw[-1] in ".,;:!?)":  # the sentence or the clause ends with the name
            break
    return " ".join(name)


# Capitalised words that start a sentence rather than continue a name.
_LOWER_STOP = frozenset(("ubnd", "de", "kinh", "toi", "chung", "hien", "nguoi", "mong", "xin", "nam", "thang"))


def _cased_fold(text: str) -> str:
    """The text without diacritics but with its capitals, its words' Telex residue cleaned."""
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
                       if not unicodedata.combining(ch))

    def clean(m: re.Match) -> str:
        word = m.group(0)
        cleaned = _clean_word(word.lower())
        return cleaned if cleaned != word.lower() and not word[0].isupper() else (
            cleaned.capitalize() if cleaned != word.lower() else word)

    return re.sub(r"[A-Za-z]+", clean, stripped)


# Without capitals (all lower- or upper-case text): the words after the marker, up to a stopword.
_FOLDED_MARKERS = {
    "street": ("duong", "pho", "quoc lo", "tinh lo", "dai lo"),
    "ward": ("phuong", "thi tran", "dac khu"),
    "group": ("thon", "xom", "khom"),
    "project": ("du an", "khu do thi", "chung cu", "toa nha", "khu tap the", "khu dan cu", "khu cong nghiep",
                "truong mam non", "truong tieu hoc", "truong thcs", "truong thpt", "cong vien", "benh vien",
                "tram y te", "nha van hoa", "ben xe", "nha may"),
}
# Words after a marker that show it is not a place: "thành phố", "đường ống", "phương án".
_NOT_A_NAME = frozenset("""
bi da dang se co khong rat nay do kia nhu va voi cua tai o thi ma la de cho duoc moi hien nao ong day dien
nuoc xa sa an tien thuc phap huong chau truong hoc sinh vien tra sat bo sa xe di nhua ray
""".split())  # noqa: SIM905 (a list of words reads best as words)
# With capitals, a marker followed by a name is a place, but for these ("thành phố Hà Nội").
_NAMED_NOT_PLACE = {"pho": {"thanh", "dan", "khu"}, "khu": {"to"}}
_BEFORE_NOT_PLACE = {"pho": {"thanh", "dan", "khu"}, "duong": {"con", "tuyen", "mat", "len", "ra", "via", "tren"},
                     "phuong": {"dia", "cac"}}


def _folded_names(words: list[str], kind: str) -> set[str]:
    names = set()
    text = " ".join(words)
    for marker in _FOLDED_MARKERS[kind]:
        for found in re.finditer(rf"(?:^|\s)(\S+\s)?{marker}\s((?:\S+\s?){{1,3}})", text):
            before = (found.group(1) or "").strip()
            if before in _BEFORE_NOT_PLACE.get(marker, ()):
                continue
            name: list[str] = []
            for word in found.group(2).split():
                if word in STOPWORDS or word in _NOT_A_NAME or word in PLACE_WORDS or word[0].isdigit():
                    break  # a numbered road is read by _NUMBERED_ROAD
                name.append(word)
            if name:
                names.add(" ".join(name))
    return names


# Provinces and cities, which often end a place's name and are no part of it ("đường Lê Duẩn Đà Nẵng").
_PROVINCES = tuple(sorted({fold(p.name).removeprefix("thanh pho ") for p in Province.iter_all()}
                          | {"sai gon", "tp hcm", "hcm", "tphcm", "tp", "thanh pho"}, key=len, reverse=True))


def _without_province(name: str) -> str:
    for province in _PROVINCES:
        if name.endswith(" " + province):
            return name[: -len(province) - 1]
    return name


_LEADING_MARKERS = tuple(sorted({m for m in _NAMED["project"] if " " in m or m.startswith("k")}, key=len, reverse=True))


def _without_marker(name: str) -> str:
    """A name without another marker before it: "Hồ KĐT Linh Đàm" names the lake of Linh Đàm."""
    for marker in _LEADING_MARKERS:
        if name.startswith(marker + " ") and len(name) > len(marker) + 1:
            return name[len(marker) + 1:]
    return name


def _has_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    upper = sum(ch.isupper() for ch in letters)
    return 0 < upper < len(letters) * 0.5


def places(text: str) -> dict[str, set[str]]:
    """The places a text names, by kind, each value folded: {"alley": {"12/5"}, "street": {"chua boc"}}."""
    words = words_of(text)
    folded = " " + " ".join(words) + " "
    found: dict[str, set[str]] = {"house": set(), "alley": set(), "group": set(), "street": set(), "ward": set(),
                                  "project": set()}
    # Alleys: "ngách 5 ngõ 12" is the alley 12/5, as "ngách 12/5" says it.
    mentions = [(m.group(1), m.group(2), m.start(), m.end()) for m in _ALLEY.finditer(folded)]
    skip = set()
    for index, (kind, number, _start, end) in enumerate(mentions):
        if index in skip:
            continue
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if following and following[2] - end <= 2 and kind in ("ngach", "hem", "kiet") and "/" not in number:
            found["alley"].add(f"{following[1]}/{number}")
            skip.add(index + 1)
        else:
            found["alley"].add(number)
    for m in _HOUSE.finditer(folded):
        found["house"].add(m.group(1) or m.group(2))
    for m in _GROUP.finditer(folded):
        found["group"].add(f"{'to dan pho' if m.group(1) == 'to' else m.group(1)} {m.group(2)}")
    for m in _NUMBERED_ROAD.finditer(folded):
        found["street"].add(f"{'duong' if m.group(1) == 'duong so' else m.group(1)} {m.group(2)}")
    if _has_capitals(text):
        cased = _cased_fold(text)
        for m in _ALLEY_STREET.finditer(cased):
            name = _without_province(" ".join(words_of(_name_words(m.group(1)))))
            if name and not name.isdigit() and name.split()[0] not in PLACE_WORDS:
                found["street"].add(name)
        for kind, pattern in _NAMED_PATTERNS.items():
            for m in pattern.finditer(cased):
                before, marker = m.group(1) or "", m.group(2)
                if marker[0].isupper() and not marker.isupper() and before and before[-1] not in ".!?:;":
                    continue  # a capitalised word inside a sentence begins a name: "thanh pho Ho Chi Minh"
                before = before.lower().strip(",")
                if before in _NAMED_NOT_PLACE.get(marker.lower(), ()):
                    continue  # "thanh pho", "mat duong"
                name = _without_province(" ".join(w for w in words_of(_name_words(m.group(3))) if w != "so"))
                if not name or name.isdigit() or name in _PROVINCES or (kind == "alley" and name.split()[0].isdigit()):
                    continue  # a numbered alley is read above
                if kind == "project" and (marker.lower() == "truong" or name.split()[0] in _SCHOOL_LEVELS):
                    continue  # schools are read below, with their level
                found[kind].add(_without_marker(name))
        for m in _SCHOOL.finditer(cased):
            name = _without_province(" ".join(words_of(_name_words(m.group(2)))))
            if name:
                found["project"].add(f"truong {_SCHOOL_LEVELS[m.group(1).lower()]} {name}")
    else:
        for kind in _FOLDED_MARKERS:
            found[kind] |= _folded_names(words, kind)
        for m in re.finditer(r"\b(?:ngo|ngach|hem|kiet)\s+(?:so\s+)?\d+\S*\s((?:\S+\s?){1,3})", folded):
            name = []
            for word in m.group(1).split():
                if word in STOPWORDS or word in _NOT_A_NAME or word in PLACE_WORDS or word.isdigit():
                    break
                name.append(word)
            if name:
                found["street"].add(" ".join(name))
    return found


# --- Problems --------------------------------------------------------------------------------------

# What a question is about, in coarse kinds: two questions about the same place but of kinds that
# share nothing (flooding, a broken street light) are two matters. Folded phrases; a phrase is
# found as whole words. Kept coarse on purpose: flooding and a blocked drain are one kind, since
# residents describe one by the other.
PROBLEMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "water": (N_("flooding and drainage"), (
        "ngap", "ung ngap", "ngap ung", "nuoc tran", "lut", "thoat nuoc", "cong thoat", "cong ranh", "tac cong",
        "mieng cong", "nap cong", "ho ga", "muong", "nuoc dong", "nuoc thai tran", "ranh thoat", "ngap lut")),
    "road": (N_("roads and alleys"), (
        "o ga", "mat duong", "xuong cap", "lun sut", "sut lun", "nut", "be tong", "tham nhua", "trai nhua",
        "nang cap duong", "lam duong", "sua duong", "via he hong", "lo chan", "gap ghenh", "do thai", "cau yeu")),
    "lighting": (N_("street lighting"), ("den duong", "chieu sang", "toi om", "den cao ap", "bong den", "den hong")),
    "waste": (N_("rubbish"), ("rac", "thu gom", "tap ket", "ve sinh moi truong", "phe thai", "xa rac", "do rac")),
    "noise": (N_("noise"), ("tieng on", "on ao", "karaoke", "loa keo", "am thanh", "gay on", "bay dan")),
    "sidewalk": (N_("pavements and street trading"), (
        "lan chiem via he", "via he", "long duong", "bay ban", "buon ban", "hang rong", "trong giu xe", "lan chiem")),
    "building": (N_("building order"), (
        "xay dung trai phep", "khong phep", "sai phep", "giay phep xay dung", "coi noi", "trat tu xay dung",
        "xay dung", "xay nha", "xay tuong", "sua chua nha", "cong trinh")),
    "land": (N_("land and certificates"), (
        "so do", "so hong", "giay chung nhan", "quyen su dung dat", "dat dai", "thua dat", "dia chinh", "tach thua",
        "chuyen muc dich", "cap so", "dat o", "ranh gioi", "tranh chap dat", "quy hoach")),
    "clearance": (N_("compensation and resettlement"), (
        "den bu", "boi thuong", "giai phong mat bang", "tai dinh cu", "thu hoi dat", "ho tro di doi",
        "ban giao mat bang")),
    "school": (N_("schools"), (
        "truong hoc", "hoc sinh", "tuyen sinh", "mam non", "tieu hoc", "thcs", "thpt", "giao vien", "hoc phi",
        "lop hoc", "nhap hoc", "ban tru", "diem truong")),
    "health": (N_("health and insurance"), (
        "bao hiem y te", "kham chua benh", "tram y te", "benh vien", "tiem chung", "tiem phong", "dich benh",
        "sot xuat huyet", "bao hiem xa hoi")),
    "social": (N_("allowances and social support"), (
        "tro cap", "nguoi co cong", "ho ngheo", "can ngheo", "bao tro xa hoi", "luong huu", "khuyet tat",
        "chinh sach", "tro giup", "nguoi cao tuoi", "tuat")),
    "procedure": (N_("administrative procedures"), (
        "thu tuc", "mot cua", "ho so", "dich vu cong", "chung thuc", "giay to", "khai sinh", "cu tru", "can cuoc",
        "dinh danh", "ket hon", "tra ket qua", "truc tuyen", "hen tra")),
    "business": (N_("business and tax"), (
        "thue", "ho kinh doanh", "giay phep kinh doanh", "dang ky kinh doanh", "hoa don", "doanh nghiep", "le phi")),
    "market": (N_("markets"), ("tieu thuong", "cho tam", "ban quan ly cho", "cho coc", "ki ot", "kiot", "sap cho")),
    "green": (N_("parks and trees"), (
        "cay xanh", "cong vien", "san choi", "vuon hoa", "cat tia", "cay do", "cay gay", "nha van hoa", "the thao")),
    "water_supply": (N_("water supply"), (
        "nuoc sach", "nuoc may", "mat nuoc", "nuoc sinh hoat", "cap nuoc", "nuoc duc", "nuoc yeu", "dong ho nuoc")),
    "power": (N_("electricity"), (
        "mat dien", "cup dien", "dien luc", "dien yeu", "tram bien ap", "day dien", "cot dien")),
    "pollution": (N_("pollution"), (
        "o nhiem", "khoi bui", "khoi den", "bui ban", "bui min", "mui hoi", "hoi thoi", "hoa chat", "nuoc thai",
        "dot rac", "khi thai", "tieng on va bui")),
    "security": (N_("security and order"), (
        "an ninh", "trom", "cuop", "tu tap", "ma tuy", "danh nhau", "dua xe", "camera", "trat tu xa hoi", "lua dao")),
    "traffic": (N_("traffic and parking"), (
        "giao thong", "un tac", "ket xe", "do xe", "bai xe", "den tin hieu", "bien bao", "toc do", "go giam toc",
        "xe tai", "tai nan", "phan luong", "dau xe", "trong xe")),
    "housing": (N_("apartment buildings"), (
        "chung cu", "can ho", "ban quan tri", "phi dich vu", "bao tri", "thang may", "phong chay chua chay", "pccc")),
    "animals": (N_("animals"), ("cho tha rong", "cho can", "dai", "gia suc", "chan nuoi", "nuoi lon")),
}


# Within a kind, what tells two matters apart: support for poor households and for the elderly are
# both allowances, a market's stall fees and its relocation both markets. Only compared, never shown.
DETAILS: dict[str, tuple[str, ...]] = {
    "social.poverty": ("ho ngheo", "can ngheo", "thoat ngheo"),
    "social.elderly": ("nguoi cao tuoi", "cao tuoi", "tren 75 tuoi", "tren 80 tuoi", "tuoi tro len"),
    "social.merit": ("nguoi co cong", "liet si", "thuong binh", "benh binh", "cuu chien binh"),
    "social.disability": ("khuyet tat",),
    "social.pension": ("luong huu",),
    "social.children": ("tre em mo coi", "tre mo coi", "bao tro tre"),
    "business.tax": ("thue khoan", "thue", "le phi"),
    "business.licence": ("giay phep kinh doanh", "dang ky kinh doanh", "dang ky ho kinh doanh"),
    "business.invoice": ("hoa don",),
    "market.relocation": ("cho tam", "di doi", "bo tri cho", "cai tao cho", "xay lai cho"),
    "market.fees": ("thue khoan", "phi", "tien thue"),
    "school.enrolment": ("tuyen sinh", "nhap hoc", "trai tuyen"),
    "school.fees": ("hoc phi", "thu chi", "cac khoan thu", "lam thu"),
    "school.facilities": ("co so vat chat", "phong hoc", "nha ve sinh", "xuong cap"),
    "land.certificate": ("so do", "so hong", "giay chung nhan", "cap so"),
    "land.dispute": ("tranh chap",),
    "land.planning": ("quy hoach",),
    "clearance.price": ("gia den bu", "don gia", "gia boi thuong", "muc boi thuong", "thap"),
    "clearance.resettlement": ("tai dinh cu", "nha tai dinh cu", "dat tai dinh cu"),
    "clearance.payment": ("chi tra", "cham tra", "chua nhan"),
    "procedure.birth": ("khai sinh",),
    "procedure.death": ("khai tu",),
    "procedure.marriage": ("ket hon", "ly hon"),
    "procedure.certify": ("chung thuc", "ban sao", "cong chung"),
    "procedure.residence": ("cu tru", "tam tru", "thuong tru", "ho khau"),
    "procedure.identity": ("can cuoc", "dinh danh", "vneid"),
    "green.trees": ("cay xanh", "cat tia", "cay do", "cay gay", "cay nghieng", "cay sau", "cay"),
    "green.equipment": ("may tap", "san choi", "the duc", "ghe da"),
    "green.encroachment": ("bai xe", "trong giu xe", "chiem", "lan chiem"),
    "traffic.parking": ("do xe", "bai xe", "trong giu xe", "dau xe"),
    "traffic.racing": ("dua xe", "boc dau"),
    "traffic.signals": ("den tin hieu", "bien bao", "go giam toc", "vach ke"),
    "traffic.jams": ("un tac", "tac duong", "tac xe", "ket xe"),
    "security.theft": ("trom", "mat xe", "cuop", "giat"),
    "security.gangs": ("tu tap", "danh nhau", "gay roi"),
    "security.drugs": ("ma tuy", "nghien"),
    "security.fraud": ("lua dao",),
    "waste.collection": ("thu gom", "gio thu gom", "tap ket"),
    "waste.dumping": ("do trom", "do rac", "phe thai", "xa rac"),
    "waste.fees": ("phi rac", "tien rac", "phi ve sinh"),
    "power.outage": ("mat dien", "cat dien", "dien yeu"),
    "power.lines": ("day dien", "cot dien", "tram bien ap"),
    "noise.karaoke": ("karaoke", "loa keo", "hat"),
    "noise.works": ("thi cong", "cong trinh", "may khoan", "xe tai"),
    "housing.lift": ("thang may",),
    "housing.fees": ("phi dich vu", "phi quan ly", "phi bao tri"),
    "housing.fire": ("phong chay", "pccc", "chua chay"),
    "health.insurance": ("bao hiem y te", "the bhyt"),
    "health.vaccination": ("tiem chung", "tiem phong", "vac xin"),
    "health.epidemic": ("sot xuat huyet", "dich benh", "phun thuoc"),
}


def details(words: list[str]) -> set[str]:
    text = " " + " ".join(words) + " "
    return {detail for detail, phrases in DETAILS.items() if any(f" {p} " in text for p in phrases)}


def problems(words: list[str]) -> set[str]:
    """The kinds of problem a text is about."""
    text = " " + " ".join(words) + " "
    return {kind for kind, (_label, phrases) in PROBLEMS.items() if any(f" {p} " in text for p in phrases)}


# --- Profiles --------------------------------------------------------------------------------------

@dataclass
class Profile:
    """What a comparison needs of one question, computed once when it is written."""

    text: str  # normalised words, joined
    heading: str  # the title's normalised words
    places: dict[str, list[str]]
    problems: list[str]
    details: list[str]
    content: list[str]  # the words that carry the matter, in order (no stopwords, no place markers)
    _sets: tuple | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {"t": self.text, "h": self.heading, "p": {k: v for k, v in self.places.items() if v},
                "k": self.problems, "d": self.details}

    @classmethod
    def from_json(cls, data: dict) -> Profile:
        text = data.get("t", "")
        return cls(text=text, heading=data.get("h", ""), places=data.get("p", {}), problems=data.get("k", []),
                   details=data.get("d", []), content=content_words(text.split()))

    def sets(self) -> tuple[frozenset, frozenset]:
        if self._sets is None:
            unigrams = frozenset(self.content)
            bigrams = frozenset(f"{a} {b}" for a, b in pairwise(self.content))
            self._sets = (unigrams, bigrams)
        return self._sets


def content_words(words: Iterable[str]) -> list[str]:
    return [w for w in words if w not in STOPWORDS and w not in PLACE_WORDS and len(w) > 1 and not w.isdigit()]


def profile(heading: str, text: str) -> Profile:
    """The profile of a question from its heading and text (as the public sees them)."""
    heading_words = words_of(heading)
    words = heading_words + words_of(text)
    found = places(f"{heading}. {text}")
    return Profile(text=" ".join(words), heading=" ".join(heading_words),
                   places={kind: sorted(values) for kind, values in found.items()},
                   problems=sorted(problems(words)), details=sorted(details(words)), content=content_words(words))


def _phrases(p: Profile, every: bool) -> Iterator[str]:
    """The phrases a question is found by, those that carry its matter first: its places (a number as
    the text says it: "ngo 12", "hem 45/3", "so 18"), its heading's word pairs, the phrases that name
    its problems (the first of each kind, or `every` one), then its text's word pairs. Word pairs are
    of content words, so "nuoc o ngo" and "nuoc ngo" give the same pair. Duplicates and phrases of
    fewer than three letters are left out."""
    seen: set[str] = set()

    def new(phrase: str) -> bool:
        if len(phrase) < 3 or phrase in seen:
            return False
        seen.add(phrase)
        return True

    for kind in ("alley", "street", "project", "group", "house", "ward"):
        for value in p.places.get(kind, []):
            if kind in ("alley", "house") and value[0].isdigit():
                said = re.search(rf"\b(?:ngo|ngach|hem|kiet|so nha|nha|so)\s(?:so\s)?{re.escape(value)}(?=\s|$)",
                                 p.text)
                phrase = said.group(0).replace(" so ", " ") if said else ""
            else:
                phrase = value
            if new(phrase):
                yield phrase
    for a, b in pairwise(content_words(p.heading.split())):
        if new(f"{a} {b}"):
            yield f"{a} {b}"
    for kind in p.problems:
        for phrase in PROBLEMS[kind][1]:
            if len(phrase) > 4 and f" {phrase} " in f" {p.text} ":
                if new(phrase):
                    yield phrase
                if not every:
                    break
    for a, b in pairwise(p.content):
        if new(f"{a} {b}"):
            yield f"{a} {b}"


def search_terms(p: Profile, limit: int = 8) -> list[str]:
    """The phrases a lookup looks for: the first `limit` a question is found by."""
    return list(islice(_phrases(p, every=False), limit))


def index_phrases(p: Profile) -> list[str]:
    """Every phrase a question is found by (similarity.py indexes them): any of another question's
    search terms that this one holds in the same role."""
    return list(_phrases(p, every=True))


# --- Comparing -------------------------------------------------------------------------------------

PLACE_KINDS = ("house", "alley", "group", "street", "ward", "project")


def _contains(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split())


def _same_value(value: str, others: list[str], other_text: str, numbered: bool) -> bool:
    """Whether the other question names this place too: the same value, its initials ("CB" for
    Chùa Bộc), or, for a name, the name anywhere in its text."""
    if value in others:
        return True
    if numbered:
        return False
    return (" " not in value and any(len(value) >= 2 and value == _initials(o) for o in others)) \
        or any(" " not in o and len(o) >= 2 and o == _initials(value) for o in others)


def _relation(first: list[str], second: list[str], first_text: str, second_text: str, numbered: bool) -> str:
    """How two questions' places of one kind compare: "same" when one names what the other does and
    neither names another; "different" when each names one the other does not; "partial" when those
    differ only by one extending the other (alley 45 and 45/12, Kim Mã and Kim Mã Thượng)."""
    only_first = [v for v in first if not _same_value(v, second, second_text, numbered)]
    only_second = [v for v in second if not _same_value(v, first, first_text, numbered)]
    if not (only_first and only_second):
        return "same"
    joint = "/" if numbered else " "
    for a in only_first:
        for b in only_second:
            if a.startswith(b + joint) or b.startswith(a + joint):
                return "partial"
    return "different"


@dataclass(frozen=True)
class Comparison:
    features: tuple[float, ...]
    same_places: tuple[tuple[str, str], ...]  # (kind, value) both name
    shared_problems: tuple[str, ...]


FEATURES = ("bias", "text", "heading", "words", "pairs", "same_spot", "same_area", "other_spot", "other_area",
            "partial_place", "one_sided_place", "same_problem", "other_problem", "other_detail", "unshared_rare",
            "few_words_differ")
# The way each feature may count (+1 for, -1 against, 0 either): the fit keeps to it.
FEATURE_SIGNS = (0, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, 1, -1, -1, -1, -1)
# Places that pin a matter down (a house, an alley, a residential group, a project) and places that
# only say where around (a street, a ward): another alley is another matter, another street may be
# the same road named by its other end.
SPOTS = frozenset({"house", "alley", "group", "project"})


def compare(a: Profile, b: Profile, rarity: dict[str, float] | None = None) -> Comparison:
    """The features of a pair of questions (FEATURES, in order)."""
    ua, ba = a.sets()
    ub, bb = b.sets()
    weight = (lambda w: rarity.get(w, 1.0)) if rarity else (lambda w: 1.0)
    union = ua | ub
    shared_mass = sum(weight(w) for w in ua & ub)
    union_mass = sum(weight(w) for w in union) or 1.0
    pair_union = len(ba | bb) or 1
    same = {"spot": 0.0, "area": 0.0}
    other = {"spot": 0.0, "area": 0.0}
    partial, one_sided = 0.0, 0.0
    same_places = []
    for kind in PLACE_KINDS:
        level = "spot" if kind in SPOTS else "area"
        pa, pb = a.places.get(kind, []), b.places.get(kind, [])
        if pa and pb:
            numbered = kind in ("alley", "house") and pa[0][0].isdigit() and pb[0][0].isdigit()
            relation = _relation(pa, pb, a.text, b.text, numbered)
            if relation == "same":
                same[level] += 1
                shared = sorted(set(pa) & set(pb))
                same_places.append((kind, shared[0] if shared else pa[0]))
            elif relation == "partial":
                partial += 1
            else:
                other[level] += 1
        elif pa or pb:
            values, text = (pa, b.text) if pa else (pb, a.text)
            if any(_contains(text, v) for v in values if not v.isdigit()):
                same[level] += 0.5
                same_places.append((kind, values[0]))
            else:
                one_sided += 1
    differing = _differing_words(a.text, b.text)
    if differing and not other["spot"] and any(w[0].isdigit() for w in differing[0]) \
            and any(w[0].isdigit() for w in differing[1]):
        other["spot"] += 1  # one text with another number: another house, alley or group, named or not
    ka, kb = set(a.problems), set(b.problems)
    shared_problems = tuple(sorted(ka & kb))
    same_problem = len(ka & kb) / min(len(ka), len(kb)) if ka and kb else 0.0
    other_problem = 1.0 if ka and kb and not (ka & kb) else 0.0
    # Details of a kind both are about that share nothing: poor households against the elderly.
    other_detail = 0.0
    for kind in ka & kb:
        da = {d for d in a.details if d.startswith(kind + ".")}
        db = {d for d in b.details if d.startswith(kind + ".")}
        if da and db and not (da & db):
            other_detail = 1.0
    # Rare words only one side has: "karaoke" against "đèn" says more than "đường" against "phố".
    rare = [w for w in union if weight(w) >= 2.0]
    unshared_rare = (sum(weight(w) for w in rare if w not in ua or w not in ub)
                     / (sum(weight(w) for w in rare) or 1.0)) if rare else 0.0
    features = (
        1.0,
        fuzz.token_set_ratio(a.text, b.text) / 100,
        fuzz.token_set_ratio(a.heading, b.heading) / 100 if a.heading and b.heading else 0.0,
        shared_mass / union_mass,
        len(ba & bb) / pair_union,
        min(same["spot"], 2.0), min(same["area"], 2.0), min(other["spot"], 2.0), min(other["area"], 2.0),
        min(partial, 2.0), min(one_sided, 3.0), same_problem, other_problem, other_detail, unshared_rare,
        _few_words_differ(differing),
    )
    return Comparison(features, tuple(same_places), shared_problems)


def _differing_words(first: str, second: str) -> tuple[set[str], set[str]] | None:
    """The words only one of two texts has, when the two are mostly one text (None otherwise); a
    word mistyped on one side is the same word."""
    a = {w for w in first.split() if w not in STOPWORDS}
    b = {w for w in second.split() if w not in STOPWORDS}
    if len(a & b) < 0.6 * len(a | b):
        return None
    only_a, only_b = a - b, b - a
    # A word mistyped on one side is the same word: only the words that are really other count.
    for word in list(only_a):
        if not word.isdigit():
            match = next((other for other in only_b if not other.isdigit() and fuzz.ratio(word, other) >= 80), None)
            if match:
                only_a.discard(word)
                only_b.discard(match)
    return only_a, only_b


def _few_words_differ(differing: tuple[set[str], set[str]] | None) -> float:
    """How much two texts are one text with a few words changed: a copy naming another alley, house
    number or name. Two copies of one text are not (nothing differs); two people describing one
    matter are not either (many words differ)."""
    if not differing:
        return 0.0
    differ = len(differing[0]) + len(differing[1])
    return max(0.0, 1.0 - (differ - 1) / 8) if differ else 0.0


def rarity_of(profiles: Iterable[Profile]) -> dict[str, float]:
    """How rare each content word is among the questions compared (an inverse document frequency):
    among candidates that all speak of flooding, "ngap" tells nothing, "karaoke" a great deal."""
    counts: dict[str, int] = {}
    total = 0
    for p in profiles:
        total += 1
        for word in p.sets()[0]:
            counts[word] = counts.get(word, 0) + 1
    return {word: math.log(1 + total / n) for word, n in counts.items()}


# The model's weights, by FEATURES, fitted on the development set (see the module's docstring).
WEIGHTS: tuple[float, ...] = (
    2.177, 1.526, 2.399, 0.0, 0.0, 1.594, 0.0, -5.597, -6.812, -3.551, -1.889, 0.617, -5.718, -7.128, -0.882, -1.072)
# The likelihoods from which a hint is shown, and from which it is called very likely.
SHOWN_FROM = 0.92
VERY_LIKELY_FROM = 0.97


# A hint says why: the same place, the same problem, or, for what the lists of places and problems do
# not know, nearly the same words. A pair with none of these is not shown whatever the model says:
# its likelihood rests only on the absence of a difference, which proves nothing.
TEXT_ALONE = 0.8
_SAME_SPOT, _SAME_AREA, _SAME_PROBLEM, _TEXT = (FEATURES.index(name) for name in (
    "same_spot", "same_area", "same_problem", "text"))


def has_a_reason(features: tuple[float, ...]) -> bool:
    return bool(features[_SAME_SPOT] or features[_SAME_AREA] or features[_SAME_PROBLEM]) \
        or features[_TEXT] >= TEXT_ALONE


def likelihood(comparison: Comparison, weights: tuple[float, ...] = WEIGHTS) -> float:
    z = sum(w * f for w, f in zip(weights, comparison.features, strict=True))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
