"""Generate realistic normalised thread files (docs/format.md) for benchmarks.

    python benchmarks/generate.py --posts 100000 --shape bushy --seed 1 -o out/bushy-100k.json
    python benchmarks/generate.py --all -d benchmarks/out

The output is meant to stress the loader and the UI the way a real heated thread does:
Zipf-distributed authors, names in many scripts, texts of very different lengths with
paragraphs, mentions, links and non-Latin text, bursty times that decay over hours to days,
quotes (some of absent posts) and heavy-tailed metrics. The same (n, shape, seed) always
gives byte-identical output, on any platform and Python ≥ 3.11: only `random.Random`
methods whose algorithms Python documents as stable are used.

Generation runs in two passes. `_plan` draws the structure (parents, times, authors,
quotes) into flat arrays; `_iter_posts` turns it into post dicts. The second pass is a
generator, so `write_thread` can stream a 1M-post file in chunks instead of holding a
million dicts at once; `generate` + `write` produce the very same bytes.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Final, Literal, get_args

import orjson

Shape = Literal["wide", "deep", "bushy"]
SHAPES: Final[tuple[Shape, ...]] = get_args(Shape)

# Bump whenever the output for a given (n, shape, seed) changes, so cached files in
# benchmarks/out are regenerated instead of silently benchmarking stale data.
GENERATOR_VERSION: Final = 1
GENERATOR: Final = f"threadtui-benchmarks-generate/{GENERATOR_VERSION}"

ALL_SIZES: Final = (1_000, 10_000, 100_000, 1_000_000)
DEEP_CHAIN: Final = 10_000
START_EPOCH: Final = 1_780_063_200  # 2026-05-29T14:00:00Z

_ID_SPACE: Final = 36**6
# Ids come from an affine bijection of the post index mod 36^6: unique by construction,
# random-looking like real ids, and indexes ≥ n give ids guaranteed absent from the file.
_ID_MUL: Final = 1_580_030_173  # odd and not a multiple of 3, so coprime with 36^6
_B36: Final = "0123456789abcdefghijklmnopqrstuvwxyz"
_B36_3: list[str] = []  # all 3-digit base36 strings, built on first use


def size_label(n: int) -> str:
    """1000 → "1k", 1000000 → "1M", 1500 → "1500": the names used for files and tables."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def parse_size(text: str) -> int:
    """ "1k" → 1000, "1M"/"1m" → 1000000, "2500" → 2500."""
    text = text.strip().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    number = text[:-1] if scale != 1 else text
    value = int(float(number) * scale)
    if value < 1:
        raise ValueError(f"a thread needs at least one post, got {text!r}")
    return value


def default_name(n: int, shape: str, seed: int = 1) -> str:
    suffix = "" if seed == 1 else f"-s{seed}"
    return f"{shape}-{size_label(n)}{suffix}.json"


# --------------------------------------------------------------------------------------
# Word material. Written by hand so that the texts read like a real argument, with the
# punctuation real posts carry (typographic quotes, dashes, ellipses, "straight quotes"
# that JSON must escape).

_EN: Final = (
    "I think the real issue is that nobody outside the lab can check any of this.",
    "This is exactly the kind of take that sounds smart until you read the actual paper.",
    "Hard disagree.",
    "The numbers in the original post don't add up, and I say that as someone who wants them to.",
    "We went through the same thing in 2019 and the lesson was: ship less, test more.",
    "Honestly? Most of the people yelling here haven't opened the report.",
    "Sure, but “internal use” is doing a lot of work in that sentence.",
    'The phrase "high-risk" appears four times and is defined zero times.',
    "I'm not saying you're wrong, I'm saying the evidence is thinner than you think.",
    "Counterpoint: the status quo is also a choice, and it has costs too.",
    "My team tried this last quarter. It worked for about three weeks.",
    "People keep conflating capability with deployment, and they are not the same thing.",
    "That's a strawman of what she actually said.",
    "Can we please stop pretending regulators read threads like this one?",
    "The incentives are the whole story — everything else is commentary.",
    "If this were any other industry we'd call it a recall.",
    "Source? I've seen that figure quoted a dozen times and never with a link.",
    "There is a version of this argument I agree with, but it isn't this one.",
    "Nobody is against safety; people are against safety theatre.",
    "The cost estimate assumes prices stay flat for five years, which… no.",
    "This thread is a great example of why nuance dies on social media.",
    "I used to believe this too. Then I worked on the other side of the table.",
    "You can't audit what you can't see, and right now we can't see anything.",
    "The benchmark they cite was saturated two versions ago.",
    "What worries me is not the model, it's the process around it.",
    "Every one of these debates ends with 'more research is needed', and then nothing happens.",
    "To be fair, the follow-up post clarified most of this.",
    "The replies here are doing more peer review than the journal did.",
    "I'd love to see the raw data before anyone draws conclusions.",
    "Small teams can't afford the compliance overhead; big ones write the rules.",
    "It's not a binary. It never was.",
    "Three years ago this would have been a fringe opinion. Now it's the default.",
    "Adding this to the list of things that were 'impossible' until they shipped.",
    "If your threat model depends on everyone behaving, it's not a threat model.",
    "The comparison to nuclear is lazy and everyone who makes it knows it.",
    "Respectfully, you're arguing with a position nobody in this thread holds.",
    "Open weights aren't the problem; opaque deployment is.",
    "The paper's own appendix contradicts the headline claim.",
    "That's fair. I'll update the post.",
    "This is a governance problem wearing a technical costume.",
    "Someone in the replies already ran the experiment and it didn't replicate.",
    "Let's separate what the company said from what the press release implied.",
    "The 40% figure is for a subset of tasks, not overall.",
    "I've been in this field for fifteen years and I've never seen a cycle this fast.",
    "Hot take: the boring infrastructure work matters more than any of the model releases.",
    "You're both right, which is why this argument will never end.",
    "The real bottleneck is evaluation, and nobody wants to fund evaluation.",
    "We should be asking who benefits from the delay, not just who's harmed by the rush.",
    "Local governments are going to be the ones left holding this, as usual.",
    "No, the original quote is from an interview in March, not the keynote.",
    "Reading this from a country where none of these rules apply, it feels very abstract.",
    "The argument proves too much: by that logic we'd never have shipped the web browser.",
    "Fine, but then say that plainly instead of hiding it in a footnote.",
    "I'm tired of threads where the first reply is the best one and it's all downhill from there.",
    "There's a difference between 'we don't know' and 'we can't know'.",
    "This needs a longer answer than a reply box allows, so bear with me.",
    "First, the timeline: the policy changed before the incident, not after.",
    "Second, the people quoted in the article were not on the team that made the call.",
    "Third, and most importantly, the data they released is enough to check the claim.",
    "I checked it. It mostly holds up, with two caveats.",
    "The caveats matter more than the headline, as usual.",
    "Really appreciate everyone who kept this civil.",
    "Muting this thread, it's turned into the same five people talking past each other.",
    "Bookmarking this — the replies are better than most conference talks.",
    "Not a lawyer, but that clause reads very differently to me.",
    "My read: they shipped because a competitor was about to, and everything else is post-hoc.",
    "The survey had 212 respondents. Please stop calling it 'the industry'.",
    "Everyone here is assuming the cost curve keeps bending. What if it doesn't?",
    "It's wild how fast the goalposts move in these discussions.",
    "I agree with the conclusion and disagree with every step used to reach it.",
    "If you only read one reply in this thread, read the one about procurement.",
    "This is the most reasonable thing anyone has said all day.",
    "Can someone explain like I'm five why this is different from last year's release?",
    "It's different because the evaluation now happens after deployment, not before.",
    "A lot of folks are going to read the headline and nothing else, which is the problem.",
    "Data point: our on-call load doubled after the migration, then halved a month later.",
    "We need fewer manifestos and more incident reports.",
    "The last time someone promised 'transparency by default' it lasted one release.",
    "Please don't quote-tweet this to dunk on people, it's a genuine question.",
    "Genuinely curious how this squares with the statement from last week.",
    "Thanks for writing this up, it's the clearest summary I've seen.",
    "Oh come on. That's not what the chart shows and you know it.",
    "Zoom in on the y-axis: it starts at 60, not 0.",
    "The sample was self-selected, so the result tells us about the sample.",
    "Not everything has to be a culture war, but here we are.",
    "Edit: corrected the date, it was the 14th not the 4th.",
    "Reminder that the comment section is not a representative sample of anything.",
    "I'll believe it when there's an independent audit with teeth.",
    "They did publish the audit. It's linked at the bottom of the blog post.",
    "The audit was scoped so narrowly that it couldn't have found the issue.",
    "This is why I stopped reading the news before coffee.",
    "Imagine explaining this thread to someone in 2015.",
)

_EN_OPENERS: Final = (
    "Honestly, ",
    "To be clear, ",
    "Look, ",
    "With respect, ",
    "Okay but ",
    "Also, ",
    "FWIW, ",
    "Tbh ",
    "Agreed, and ",
    "Again: ",
    "Right, and ",
    "Unpopular opinion: ",
)

_SHORT: Final = (
    "This, 100%.",
    "Source? Link?",
    "Hard disagree.",
    "Exactly this.",
    "Well said.",
    "Citation needed.",
    "Not how any of this works.",
    "lol what is this",
    "Came here to say this.",
    "Ratio + you're wrong.",
    "This is the way.",
    "Who asked though?",
    "Bookmarking this thread.",
    "Big if true. Is it?",
    "Yes. Exactly. Thank you.",
    "Underrated reply.",
    "Correct take.",
    "Nope, that's false.",
    "Screenshotting this for later.",
    "Both can be true.",
    "Read the paper first.",
    "Ok boomer 🙃 sure",
    "This aged badly.",
    "Deleted my reply, you're right.",
    "😂😂😂 no way",
    "🔥🔥🔥 this one",
    "Thread of the year.",
    "Agreed on all points.",
    "👀 interesting thought",
    "+1, same experience here",
    "Fair point, noted.",
    "Wait, really? Wow.",
    "I can't believe this is real.",
    "That's a stretch.",
    "Context matters here.",
)

# Other languages, with the characters real posts carry: accents, CJK, Cyrillic, Greek,
# RTL Arabic (with the RLM marks people paste in, which the loader must neutralise), and
# Devanagari with combining marks.
_OTHER: Final = {
    "es": (
        "No estoy de acuerdo con la premisa, pero el análisis es interesante.",
        "¿Alguien tiene el enlace al informe original?",
        "Esto es exactamente lo que pasó el año pasado en España.",
        "La discusión se está volviendo un poco absurda, la verdad.",
    ),
    "fr": (
        "C'est une très bonne remarque, mais la réalité est plus compliquée.",
        "On en parle depuis des années et rien n'a changé.",
        "Je ne suis pas sûr que l'étude dise vraiment ça.",
        "Quelqu'un a-t-il lu l'annexe ? Elle contredit le résumé.",
    ),
    "de": (
        "Das ist leider genau das Problem mit solchen Studien.",
        "Schöne Zusammenfassung, danke fürs Teilen!",
        "Ich würde gerne die Rohdaten sehen, bevor ich mir eine Meinung bilde.",
        "Die Überschrift ist deutlich zugespitzter als der Artikel selbst.",
    ),
    "pt": (
        "Concordo em parte, mas a conclusão não segue dos dados.",
        "Isso já foi discutido no fórum há meses, não é novidade.",
        "Excelente ponto sobre a regulação — ninguém está falando disso.",
    ),
    "ja": (
        "これは本当に重要な議論だと思います。",
        "元の論文を読みましたが、結論はもっと慎重でした。",
        "日本でも同じような問題が起きています。",
        "ちょっと話が飛躍しすぎでは？",
    ),
    "zh": (
        "我觉得这个观点有一定道理，但是数据不够充分。",
        "原文的意思被误解了。",
        "这个讨论串太精彩了，收藏了。",
        "有没有人看过完整的报告？",
    ),
    "ko": (
        "이 스레드 정말 흥미롭네요.",
        "원문을 읽어보면 전혀 다른 이야기입니다.",
        "저도 같은 경험이 있습니다.",
    ),
    "ru": (
        "Полностью согласен, но есть нюансы.",
        "Это уже обсуждали в прошлом году, ничего нового.",
        "Где можно посмотреть исходные данные?",
        "Заголовок вводит в заблуждение, сама статья гораздо осторожнее.",
    ),
    "el": (
        "Πολύ ενδιαφέρουσα συζήτηση, ευχαριστώ.",
        "Δεν νομίζω ότι τα στοιχεία το υποστηρίζουν αυτό.",
    ),
    "ar": (
        "هذا نقاش مهم جدا، شكرا على المشاركة.",
        "\u200fلا أتفق مع هذا الاستنتاج، البيانات غير كافية.",
        "هل يوجد رابط للتقرير الأصلي؟",
    ),
    "hi": (
        "यह बहुत दिलचस्प चर्चा है।",
        "मुझे नहीं लगता कि आंकड़े इसका समर्थन करते हैं।",
        "क्या किसी के पास मूल रिपोर्ट का लिंक है?",
    ),
}

_EMOJI: Final = (
    "😂",
    "🙃",
    "🔥",
    "👀",
    "🤔",
    "💯",
    "🙏",
    "😬",
    "🤷‍♀️",
    "👍🏽",
    "🚀",
    "❤️",
    "😤",
    "🧵",
    "🇪🇺",
)
_HASHTAGS: Final = (
    "#AI",
    "#OpenSource",
    "#AISafety",
    "#policy",
    "#tech",
    "#MachineLearning",
    "#privacy",
    "#regulation",
    "#thread",
    "#infosec",
)
_DOMAINS: Final = (
    "https://arxiv.org/abs/2605.",
    "https://www.nytimes.com/2026/05/28/technology/",
    "https://github.com/",
    "https://en.wikipedia.org/wiki/",
    "https://www.theverge.com/2026/5/28/",
    "https://youtu.be/",
    "https://substack.com/@",
    "https://bsky.app/profile/",
)
_SLUG_WORDS: Final = (
    "ai",
    "safety",
    "report",
    "model",
    "deployment",
    "policy",
    "internal",
    "risk",
    "open",
    "weights",
    "audit",
    "labs",
    "eval",
    "incident",
    "response",
)

_TITLES: Final = (
    "Lab researchers argue internal deployment of frontier models is the real risk",
    "A leaked memo, a benchmark dispute and a very long weekend online",
    "Developers split over whether open weights make audits possible or pointless",
    "City council's transit data release sparks a thread nobody could stop reading",
)

_FIRST: Final = (
    "Oliver",
    "Maria",
    "José",
    "Zoë",
    "Søren",
    "Łukasz",
    "François",
    "Aoife",
    "Priya",
    "Ahmed",
    "Chloé",
    "Nguyễn",
    "Björn",
    "Ana",
    "Tom",
    "Fatima",
    "Kwame",
    "Ines",
    "Mateo",
    "Sinéad",
    "Jürgen",
    "Renée",
    "Dmitri",
    "Hana",
    "Lucas",
    "Emma",
    "Noah",
    "Amara",
    "Yusuf",
    "Elena",
)
_LAST: Final = (
    "Habryka",
    "Álvarez",
    "O'Brien",
    "D'Angelo",
    "Müller",
    "Nowak",
    "Dubois",
    "Okafor",
    "Sharma",
    "García",
    "Kowalski",
    "Ó Súilleabháin",
    "Lindqvist",
    "Chen",
    "Smith",
    "N'Diaye",
    "Petrović",
    "Brandão",
    "Yılmaz",
    "Kim",
)
_NONLATIN_NAMES: Final = (
    "田中 太郎",
    "佐藤花子",
    "王伟",
    "李娜",
    "김민준",
    "이서연",
    "Алексей Иванов",
    "Наталья",
    "Νίκος Παπαδόπουλος",
    "محمد علي",
    "प्रिया शर्मा",
    "山本 🌸",
)
_ORG_NAMES: Final = (
    "The Daily Byte",
    "Prof. Kim, PhD",
    "AI Policy Watch",
    "dev ☕",
    "not a bot (probably)",
    "Lightcone Infrastructure",
    "Open Source Initiative",
    "Tom | building things",
    "she/her · ML eng",
    "👩‍💻 Ana codes",
)
_HANDLE_WORDS: Final = (
    "alex",
    "maria",
    "dev",
    "ml",
    "data",
    "code",
    "sam",
    "kim",
    "jo",
    "nerd",
    "policy",
    "the",
    "real",
    "ai",
    "ops",
    "cat",
    "pixel",
    "byte",
    "lena",
    "raj",
    "yuki",
    "li",
    "omar",
    "zed",
    "q",
)


# --------------------------------------------------------------------------------------
# Pass 1: the structure.


@dataclass(slots=True)
class _Plan:
    n: int
    shape: Shape
    parent: array[int]  # reply_to index, -1 for none
    quote: dict[int, int]  # post → quoted index (≥ n: a post absent from the file)
    author: array[int]
    sec: array[int]  # seconds after START_EPOCH, non-decreasing in file order
    children: array[int]
    quoted_by: array[int]
    n_authors: int


def _sorted_uniforms(rng: random.Random, n: int) -> list[float]:
    # Order statistics of n uniforms without sorting: normalised cumulative exponential gaps.
    gaps = [rng.expovariate(1.0) for _ in range(n + 1)]
    total = math.fsum(gaps)
    return [x / total for x in accumulate(gaps[:-1])]


def _arrival_seconds(rng: random.Random, n: int) -> list[float]:
    """Post times: a burst that decays like real attention (rate ∝ (1 + t/τ)^-2)."""
    span = 3 * 3600 * n**0.25  # ~17 h for 1k posts, ~2 days for 100k, ~4 days for 1M
    tau = span / 20
    top = 1 - 1 / (1 + span / tau)  # the CDF at `span`, so no time falls past it
    return [tau * (1 / (1 - u * top) - 1) for u in _sorted_uniforms(rng, n)]


def _author_sequence(rng: random.Random, n: int) -> tuple[list[int], int]:
    """Who writes each post: ~n/8 authors, post counts Zipf-like, author 0 the most active."""
    n_authors = max(1, n // 8)
    # Everyone posts once (so ~n/8 authors really appear); the rest follow Zipf (s = 0.8,
    # which gives the top poster a few percent of the thread, as in big real threads).
    weights = [1 / (r + 1) ** 0.8 for r in range(n_authors)]
    cum = list(accumulate(weights))
    extra = rng.choices(range(n_authors), cum_weights=cum, k=n - n_authors)
    seq = list(range(n_authors)) + extra
    rng.shuffle(seq)
    return seq, n_authors


def _plan(n: int, shape: Shape, rng: random.Random) -> _Plan:
    base = _arrival_seconds(rng, n)
    authors_seq, n_authors = _author_sequence(rng, n)
    random_ = rng.random

    parent = array("i", [-1]) * n
    author = array("i", authors_seq)
    author[0] = 0  # the OP is the thread's most active author, as in real threads
    sec = array("q", [0]) * n
    depth = array("i", [0]) * n
    children = array("i", [0]) * n
    quoted_by = array("i", [0]) * n
    quote: dict[int, int] = {}

    # Preferential attachment: every eligible post sits in `targets` once, plus once per
    # reply or quote it gets, so a uniform pick favours popular posts. Picks are skewed
    # towards the end of the list, i.e. recent activity, which is how attention decays
    # with age. Posts join `targets` only once their second is over, so every reply is
    # strictly later than its parent even at one-second resolution.
    targets: list[int] = [0]  # holds the root once, so there is always a pick
    pending: list[int] = []
    current = 0  # the second being filled
    absent = max(1, n // 2000)  # distinct absent posts that dangling quotes point at

    chain_left = min(DEEP_CHAIN, n - 1) if shape == "deep" else 0
    chain_last = 0
    chain_pair = (1 % n_authors, 2 % n_authors)
    root_share = 0.8 if shape == "wide" else 0.15
    expovariate = rng.expovariate

    prev = 0
    for i in range(1, n):
        t = int(base[i])
        if t <= prev:
            t = prev if prev > 0 else 1  # the root's second holds the root alone
        # Sequential sampling picks exactly `chain_left` of the remaining posts, spread
        # evenly over the thread's life.
        in_chain = chain_left > 0 and random_() * (n - i) < chain_left
        if in_chain and t <= sec[chain_last]:
            t = sec[chain_last] + 1
        if t != current:
            targets.extend(pending)
            pending.clear()
            current = t
        sec[i] = prev = t

        if in_chain:
            chain_left -= 1
            p = chain_last
            chain_last = i
            # A long chain is an argument between two people, with the odd bystander.
            if random_() < 0.6:
                author[i] = chain_pair[1] if author[p] == chain_pair[0] else chain_pair[0]
        else:
            if random_() < root_share:
                p = 0
            else:
                size = len(targets)
                if random_() < 0.7:
                    # Most replies continue a conversation that is active right now...
                    k = int(expovariate(0.08))
                    p = targets[size - 1 - k] if k < size else targets[0]
                else:
                    # ...the rest go to posts that drew replies before, old or new.
                    p = targets[size - 1 - int(size * random_() ** 1.5)]
                if depth[p] > 16 and random_() < 0.05 * (depth[p] - 16):
                    # Long branches peter out: people climb back up and answer near the top.
                    p = targets[size - 1 - int(size * random_() ** 1.5)]
                pp = parent[p]
                if pp >= 0 and random_() < (0.07 if pp == 0 else 0.15) and author[pp] != author[p]:
                    # Back-and-forth: the person replied to answers back (the OP most often).
                    author[i] = author[pp]

        # ~5% of posts quote one: half are quote-posts linked to the thread by the quote
        # alone (no reply_to), half are replies that also quote an earlier post.
        pure = False
        r = random_()
        if r < 0.05:
            pure = r < 0.025 and p != 0 and not in_chain
            if random_() < 0.04:
                q = n + int(random_() * absent)  # a post that is not in the file
            elif pure:
                q = p
            else:
                size = len(targets)
                q = targets[size - 1 - int(size * random_() ** 1.5)]
            quote[i] = q
            if q < n:
                quoted_by[q] += 1
                targets.append(q)
        if pure:
            # The quoted post is the tree parent; an absent one makes this post a root.
            q = quote[i]
            depth[i] = depth[q] + 1 if q < n else 0
        else:
            parent[i] = p
            depth[i] = depth[p] + 1
            children[p] += 1
            if p:  # the root draws replies by `root_share` alone, not by popularity
                targets.append(p)
        pending.append(i)

    return _Plan(n, shape, parent, quote, author, sec, children, quoted_by, n_authors)


# --------------------------------------------------------------------------------------
# Pass 2: the posts.


def _ids(count: int, seed: int) -> list[str]:
    if not _B36_3:
        digits = _B36
        _B36_3.extend(a + b + c for a in digits for b in digits for c in digits)
    table = _B36_3
    offset = (seed * 2_654_435_761) % _ID_SPACE
    out = []
    for i in range(count):
        x = (i * _ID_MUL + offset) % _ID_SPACE
        out.append("g-" + table[x // 46_656] + table[x % 46_656])
    return out


def _handles(rng: random.Random, count: int) -> list[str]:
    words = _HANDLE_WORDS
    seen: set[str] = set()
    out: list[str] = []
    for _ in range(count):
        while True:
            r = rng.random()
            a, b = rng.choice(words), rng.choice(words)
            if r < 0.3:
                h = a + "_" + b
            elif r < 0.55:
                h = a.capitalize() + b.capitalize() + str(rng.randrange(100))
            elif r < 0.75:
                h = a + b + str(rng.randrange(10_000))
            elif r < 0.85:
                h = a[:1] + str(rng.randrange(1000))
            else:
                h = "_" + a + "_" + b + "_"
            h = h[:15]
            if len(h) < 3:
                h += "x" * (3 - len(h))
            if h not in seen:
                break
            # Collisions get a numeric tail, as sign-up forms suggest.
            h = (h[:11] + str(rng.randrange(10_000)))[:15]
            if h not in seen:
                break
        seen.add(h)
        out.append(h)
    return out


def _display_name(rng: random.Random, handle: str) -> str | None:
    r = rng.random()
    if r < 0.03:
        return None
    if r < 0.58:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    elif r < 0.70:
        name = rng.choice(_FIRST)
    elif r < 0.80:
        name = rng.choice(_NONLATIN_NAMES)
    elif r < 0.88:
        name = rng.choice(_ORG_NAMES)
    else:
        name = handle
    if rng.random() < 0.1:
        name += " " + rng.choice(_EMOJI)
    return name


def _authors(rng: random.Random, plan: _Plan) -> tuple[list[str | None], dict[str, Any]]:
    """The authors object, in order of first post, and each author index's id."""
    handles = _handles(rng, plan.n_authors)
    names = [_display_name(rng, h) for h in handles]
    ids: list[str | None] = [None] * plan.n_authors
    table: dict[str, Any] = {}
    for a in plan.author:
        if ids[a] is None:
            aid = "g:" + handles[a]
            ids[a] = aid
            table[aid] = {"handle": handles[a], "display_name": names[a]}
    return ids, table


def _time_strings(plan: _Plan) -> list[str]:
    cache: dict[int, str] = {}
    out = []
    gmtime, strftime = time.gmtime, time.strftime
    for s in plan.sec:
        text = cache.get(s)
        if text is None:
            text = cache[s] = strftime("%Y-%m-%dT%H:%M:%SZ", gmtime(START_EPOCH + s))
        out.append(text)
    return out


def _decapitalise(sentence: str) -> str:
    # "Honestly, " + "I think…" keeps its capital I.
    if sentence[:2] in ("I ", "I'"):
        return sentence
    return sentence[0].lower() + sentence[1:]


class _TextMaker:
    """Post bodies: length mix tuned so a file averages ~360 bytes per post."""

    def __init__(self, rng: random.Random, handles: list[str]) -> None:
        self.rng = rng
        self.handles = handles
        en = list(_EN)
        # Opener + sentence combinations multiply the variety without more hand-written text.
        en += [o + _decapitalise(s) for o in _EN_OPENERS for s in _EN[::7]]
        self.en = en
        self.other = list(_OTHER.values())

    def _url(self) -> str:
        rng = self.rng
        slug = "-".join(rng.choice(_SLUG_WORDS) for _ in range(rng.randrange(1, 5)))
        return rng.choice(_DOMAINS) + slug + str(rng.randrange(100, 99_999))

    def text(self, reply_handle: str | None) -> str:
        rng = self.rng
        random_ = rng.random
        r = random_()
        if r < 0.2:
            text = rng.choice(_SHORT)
        else:
            if r < 0.96:
                # Sentences overshoot the target by half a sentence: median ~130 chars.
                target = int(rng.lognormvariate(4.5, 0.35))
            elif r < 0.995:
                target = rng.randrange(280, 650)
            else:
                target = rng.randrange(650, 1450)
            pool = self.en if random_() < 0.92 else rng.choice(self.other)
            choice = rng.choice
            parts = [choice(pool)]
            length = len(parts[0])
            while length < target:
                s = choice(pool)
                parts.append(s)
                length += len(s) + 1
            if length > 280 and random_() < 0.7:
                # Long posts come in paragraphs of one to four sentences.
                paras: list[str] = []
                k = 0
                while k < len(parts):
                    step = rng.randrange(1, 5)
                    paras.append(" ".join(parts[k : k + step]))
                    k += step
                text = "\n\n".join(paras)
            else:
                text = " ".join(parts)
        r = random_()
        if r < 0.06:
            text += " " + self._url()
        elif r < 0.1:
            text += " " + " ".join(rng.sample(_HASHTAGS, rng.randrange(1, 4)))
        elif r < 0.16:
            text += " " + rng.choice(_EMOJI)
        if reply_handle is not None and random_() < 0.3:
            text = "@" + reply_handle + " " + text
        if random_() < 0.04:
            # Mentions of a third person, mid-text.
            text += " cc @" + rng.choice(self.handles)
        if len(text) > 1500:
            cut = text.rfind(" ", 0, 1499)
            text = text[: cut if cut > 0 else 1499] + "…"
        return text


def _metrics(
    rng: random.Random, i: int, children: int, quoted: int, deleted: bool
) -> dict[str, int | None]:
    if deleted:
        return {"views": None, "likes": None, "reposts": None, "replies": None, "quotes": None}
    random_ = rng.random
    # Views: log-normal, scaled by how much conversation the post started; the root of a
    # big thread is seen by millions.
    if i == 0:
        views: int | None = int(rng.lognormvariate(14.5, 0.4))
    elif random_() < 0.08:
        views = None
    else:
        views = int(rng.lognormvariate(5.0, 1.4) * (1 + 2 * children + 4 * quoted))
    if random_() < 0.4:
        seen = views if views is not None else int(rng.lognormvariate(5.0, 1.4))
        likes = int(seen * random_() * 0.04)
        return {
            "views": views,
            "likes": likes,
            "reposts": int(likes * random_() * 0.2),
            # Sources count replies they did not deliver, so the count can exceed the file's.
            "replies": children + (int(rng.expovariate(0.5)) if random_() < 0.3 else 0),
            "quotes": quoted,
        }
    return {"views": views, "likes": None, "reposts": None, "replies": None, "quotes": None}


def _iter_posts(
    plan: _Plan, rng: random.Random, ids: list[str], author_ids: list[str | None]
) -> Iterator[dict[str, Any]]:
    handles = [aid[2:] if aid else "" for aid in author_ids]
    times = _time_strings(plan)
    make_text = _TextMaker(rng, [h for h in handles if h]).text
    parent, author, children, quoted_by, quote = (
        plan.parent,
        plan.author,
        plan.children,
        plan.quoted_by,
        plan.quote,
    )
    random_ = rng.random
    for i in range(plan.n):
        p = parent[i]
        q = quote.get(i)
        a = author[i]
        # A few deleted posts whose replies survive, as on every big platform.
        deleted = i != 0 and random_() < 0.002
        if deleted:
            text = None
            aid = None
            status = "deleted"
        else:
            aid = author_ids[a]
            text = make_text(handles[author[p]] if p >= 0 and author[p] != a else None)
            status = "ok"
        yield {
            "id": ids[i],
            "author": aid,
            "text": text,
            "created_at": times[i],
            "reply_to": ids[p] if p >= 0 else None,
            "quotes": [ids[q]] if q is not None else [],
            "metrics": _metrics(rng, i, children[i], quoted_by[i], deleted),
            "status": status,
        }


def _header(plan: _Plan, rng: random.Random, seed: int, ids: list[str]) -> dict[str, Any]:
    return {
        "schema": "threadtui.thread",
        "schema_version": 1,
        "thread": {
            "title": rng.choice(_TITLES),
            "summary": f"A synthetic {plan.shape} thread of {plan.n:,} posts for benchmarks.",
            "url": None,
            "root": ids[0],
            "details": {
                "generator": GENERATOR,
                "shape": plan.shape,
                "posts": str(plan.n),
                "seed": str(seed),
            },
        },
        "source": {
            "platform": "synthetic",
            "kind": "threadtui-benchmark",
            "importer": GENERATOR,
            "retrieved_at": None,
        },
    }


def _prepare(
    n_posts: int, shape: Shape, seed: int
) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    if n_posts < 1:
        raise ValueError(f"n_posts must be at least 1, got {n_posts}")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    rng = random.Random(f"threadtui-bench:{shape}:{n_posts}:{seed}")
    plan = _plan(n_posts, shape, rng)
    ids = _ids(n_posts + max(1, n_posts // 2000), seed)
    head = _header(plan, rng, seed, ids)
    author_ids, head["authors"] = _authors(rng, plan)
    return head, _iter_posts(plan, rng, ids, author_ids)


def generate(n_posts: int, shape: Shape, seed: int = 1) -> dict[str, Any]:
    """A whole thread document (docs/format.md) with `n_posts` posts, all in memory."""
    head, posts = _prepare(n_posts, shape, seed)
    head["posts"] = list(posts)
    return head


def write(doc: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write compact JSON (no indent: the benchmarks' size and parse floor assume it)."""
    _atomic_write(Path(path), [orjson.dumps(doc)])


def write_thread(
    n_posts: int, shape: Shape, seed: int, path: str | os.PathLike[str], *, chunk: int = 20_000
) -> None:
    """Generate and write in one go, streaming the posts: the same bytes as
    `write(generate(...))` without a million post dicts alive at once."""
    head, posts = _prepare(n_posts, shape, seed)
    head["posts"] = []
    # The posts array is the last key, so the document is its header with the array opened,
    # then the posts chunk by chunk.
    opening = orjson.dumps(head)
    if not opening.endswith(b'"posts":[]}'):
        raise AssertionError("the posts array must be the document's last key")

    def pieces() -> Iterator[bytes]:
        yield opening[:-2]
        first = True
        batch: list[dict[str, Any]] = []
        for post in posts:
            batch.append(post)
            if len(batch) == chunk:
                yield (b"" if first else b",") + orjson.dumps(batch)[1:-1]
                first = False
                batch = []
        if batch:
            yield (b"" if first else b",") + orjson.dumps(batch)[1:-1]
        yield b"]}"

    _atomic_write(Path(path), pieces())


def _atomic_write(path: Path, pieces: Any) -> None:
    # Write beside the target and rename, so an interrupted run never leaves a truncated file
    # that a later "skip existing" would take for a finished one.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            for piece in pieces:
                f.write(piece)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def is_current(path: Path) -> bool:
    """Whether `path` exists and was written by this version of the generator."""
    try:
        with open(path, "rb") as f:
            head = f.read(2048)
    except OSError:
        return False
    return f'"generator":"{GENERATOR}"'.encode() in head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", "-n", type=parse_size, help="post count: 1000, 10k, 1M")
    parser.add_argument("--shape", choices=SHAPES, default="bushy")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, help="the file to write")
    parser.add_argument(
        "--all",
        action="store_true",
        help="write every size (1k, 10k, 100k, 1M) × shape into -d, skipping current files",
    )
    parser.add_argument("-d", "--dir", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args(argv)

    if args.all:
        jobs = [(n, shape) for n in ALL_SIZES for shape in SHAPES]
    elif args.posts is None:
        parser.error("give --posts N (with --shape, -o) or --all")
    else:
        jobs = [(args.posts, args.shape)]
    for n, shape in jobs:
        path = (
            args.output
            if args.output and not args.all
            else args.dir / default_name(n, shape, args.seed)
        )
        if args.all and is_current(path):
            print(f"{path}: up to date", file=sys.stderr)
            continue
        started = time.perf_counter()
        write_thread(n, shape, args.seed, path)
        elapsed = time.perf_counter() - started
        size = path.stat().st_size
        print(
            f"{path}: {n:,} posts, {size / 1e6:.1f} MB ({size / n:.0f} B/post) in {elapsed:.1f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
