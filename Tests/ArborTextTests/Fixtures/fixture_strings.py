"""Real and tricky strings shared by the ArborText fixture scripts.

Every random choice takes a seed, so the same system data gives the same strings.
"""

import random
import subprocess

WORDNET_FILES = ["/usr/share/wordnet/data.noun", "/usr/share/wordnet/data.verb"]


def wordnet_glosses():
  """Every gloss (the text after ' | ') of the WordNet 3.0 noun and verb data files, in file order."""
  glosses = []
  for path in WORDNET_FILES:
    with open(path, encoding="utf-8") as handle:
      for line in handle:
        if line.startswith("  ") or " | " not in line:
          continue
        glosses.append(line.split(" | ", 1)[1].strip())
  return glosses


def debian_descriptions():
  """Description fields (short line plus long text) from `apt-cache dumpavail`, sorted by package."""
  text = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
  entries = {}
  for stanza in text.split("\n\n"):
    package, description, in_description = None, [], False
    for line in stanza.split("\n"):
      if line.startswith("Package: "):
        package = line[len("Package: "):]
        in_description = False
      elif line.startswith("Description: ") or line.startswith("Description-en: "):
        description = [line.split(": ", 1)[1]]
        in_description = True
      elif in_description and line.startswith(" "):
        body = line[1:]
        description.append("" if body == "." else body)
      else:
        in_description = False
    if package and description and package not in entries:
      entries[package] = "\n".join(description)
  if not entries:
    raise SystemExit("apt-cache dumpavail printed no packages: run 'apt-get update' first")
  return [entries[name] for name in sorted(entries)]


LONG_WORD = "pneumonoultramicroscopicsilicovolcanoconiosis" * 3

TRICKY = [
  "", " ", "   \t\n  ", "\n", "\u00a0\u2003\u3000", "a", "A", "I", "x" * 100, "y" * 101,
  LONG_WORD, LONG_WORD[:100], LONG_WORD[:99] + "é", "é" * 101,
  "Café au lait, naïve façade, déjà vu, coöperate, résumé, São Paulo, Zürich, Łódź, Ångström.",
  "CAFÉ NAÏVE ÉLÈVE ÜBER STRASSE straße Straße",
  "İstanbul, ıstanbul, Iğdır, DİYARBAKIR",
  "ΣΊΣΥΦΟΣ σίσυφος Οδυσσεύς ὁ ἄνθρωπος",
  "Москва — столица России. Ёлка, ёж.",
  "Ελληνικά: αβγδεζηθικλμνξοπρστυφχψω",
  "e\u0301 a\u0300 o\u0308 n\u0303 u\u0308\u0301 combining: a\u0323\u0302 q\u0307\u0323",
  "\u0301\u0301 leading marks \u0300",
  "Zalgo: Z\u0351\u036b\u0343a\u0352\u036c\u0350l\u0346\u0357g\u036c\u0346o\u0311\u0360",
  "中文分词测试：我爱北京天安门。",
  "日本語のテキスト、カタカナとひらがな。漢字も。",
  "한국어 텍스트입니다. 서울특별시",
  "混合 text 中文 and English 123",
  "𠀀𠀁 𪜀 𫝀 𫠠 𫤠 𬺰 丽 豈 鿿 㐀 䶿",
  "Emoji: 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇯🇵 ❤️ ☕ 🥰 🤯 🥺 🫠",
  "I ❤ NY ✓ ✗ ★ ☆ ♠ ♣ ♥ ♦ ♪ ☃",
  "ASCII symbols: $+<=>^`|~ !\"#%&'()*,-./:;?@[\\]_{}",
  "$100 + 5% = <x> ^ `y` | z ~ w",
  "a$b+c<d=e>f^g`h|i~j",
  "e-mail: someone@example.com, url: https://example.org/path?q=1&r=2#frag",
  "don't won't can't it's O'Neil rock'n'roll",
  "3.14159 1,000,000 2024-01-01 10:30am 1e-10 0x1F",
  "Tab\tseparated\tvalues\nand\r\nnew lines\rcarriage",
  "Control\u0000chars\u0001here\u0007and\u001bthere\u007f",
  "Soft\u00adhyphen zero\u200bwidth\u200cnon\u200djoiner \ufeffBOM",
  "Replacement \ufffd char and private \ue000\uf8ff use",
  "Unassigned \u0378 and \U000e0001 tag \U000e0020",
  "Full-width ＡＢＣ　ｄｅｆ　１２３！",
  "Ligatures: ﬁ ﬂ ﬀ ﬃ Ⅻ ½ ² ℃ ™ № Å K",
  "Math: 𝐀𝐁𝐂 𝑥𝑦𝑧 ∑∏∫ ∀x∃y ≤ ≥ ≠ ± × ÷ √ ∞",
  "Arabic: مرحبا بالعالم، كيف حالك؟",
  "Hebrew: שלום עולם!",
  "Thai: สวัสดีครับ ภาษาไทย",
  "Hindi: नमस्ते दुनिया। हिन्दी",
  "Tamil: வணக்கம் உலகம்",
  "Georgian: გამარჯობა Armenian: Բարեւ",
  "Amharic: ሰላም ልዑል",
  "Vietnamese: Tiếng Việt có dấu: người, được, những",
  "Polish: zażółć gęślą jaźń",
  "Czech: Příliš žluťoučký kůň úpěl ďábelské ódy",
  "Quotes: “double” ‘single’ «guillemets» „German“ ‹single›",
  "Dashes: a–b a—b a‒b a―b a‐b a‑b −1",
  "Ellipsis… and bullets • · ‣ ※ ‰ ‱ † ‡ § ¶",
  "Brackets: (round) [square] {curly} ⟨angle⟩ 「corner」 【lenticular】",
  "Currency: € £ ¥ ₹ ₽ ₿ ¢ ₩",
  "[CLS] [SEP] [MASK] [PAD] [UNK] special tokens in text",
  "fill the [MASK] here",
  "lower [mask] is not special, [Mask] neither",
  "[CLS][SEP][MASK]glued[PAD]",
  "almost [MAS K] and [CLS",
  "##prefix ##ing ## #",
  "UPPER lower MiXeD CamelCase snake_case kebab-case",
  "supercalifragilisticexpialidocious antidisestablishmentarianism",
  "unaffable unhappiness misunderstanding reconsideration",
  "The quick brown fox jumps over the lazy dog.",
  "    leading and trailing spaces    ",
  "!!!???...,,,;;;",
  "a.b.c.d e,f,g h;i;j",
  "x" * 50 + " " + "y" * 120 + " z",
  "\u2028line separator\u2029paragraph separator",
  "\u1680ogham space\u205fmath space\u202fnarrow",
  "Hangul jamo ᄀᄁ and compatibility ㄱㄲ",
  "ǅungla ǈ ǋ dz ligature, ŉ, ǰ",
  "Ⓐⓑⓒ ⑴⑵ ㊀㊁ ㋿",
  "New emoji beyond old tables: 🛷 🛹 🥺 🧐 🫨 🪿",
  "Musical 𝄞𝄢 and Egyptian 𓀀𓀁 hieroglyphs",
  "ꙮ Cyrillic multiocular O",
  "Tibetan: བོད་ཡིག",
  "Myanmar: မြန်မာ",
  "Khmer: ភាសាខ្មែរ",
  "Sinhala: සිංහල",
  "Devanagari with nukta: क़ ख़ ग़ ज़",
  "Dotless ı and dotted İ, Turkish ğ ş ç ö ü",
  "German ß ẞ and Dutch ĳ Ĳ",
  "ﬀ ﬅ ﬆ ligature st",
  "\u0600\u0601 Arabic number sign and \u061c letter mark",
  "\u08e2 Arabic disputed end of ayah",
  "\U000110bd Kaithi number sign \U000110cd",
  "\U00013430 Egyptian hieroglyph format",
  "\u2e43 \u2e44 \u2e4f newer punctuation \u2e52",
  "\u166d Canadian syllabics chi sign \u111c9",
  "\u0f0b Tibetan tsheg \u0f0c \u0f14",
  "\u1734 Hanunoo pamudpod \u180f",
  "\u07fd \u08d4 \u0afa newer marks",
  "\U0001e94a Adlam nukta and \U00011c3f",
]


def code_point_soup(count, seed):
  """Strings of random scalars from many blocks, to exercise every character class."""
  rng = random.Random(seed)
  ranges = [
    (0x20, 0x7E), (0x00, 0x1F), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x52F), (0x591, 0x6FF),
    (0x900, 0xDFF), (0xE00, 0xEFF), (0x1100, 0x11FF), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF),
    (0x2000, 0x206F), (0x2070, 0x2BFF), (0x2E00, 0x2E7F), (0x3000, 0x30FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xA000, 0xABFF), (0xAC00, 0xD7A3), (0xE000, 0xE0FF), (0xF900, 0xFAFF),
    (0xFB00, 0xFFFD), (0x10000, 0x1FFFF), (0x1F300, 0x1FAFF), (0x20000, 0x2FA1F), (0xE0000, 0xE01EF),
  ]
  strings = []
  for _ in range(count):
    pieces = []
    for _ in range(rng.randint(1, 24)):
      low, high = rng.choice(ranges)
      code = rng.randint(low, high)
      if 0xD800 <= code <= 0xDFFF:
        continue
      pieces.append(chr(code))
      if rng.random() < 0.25:
        pieces.append(" ")
    strings.append("".join(pieces))
  return strings
