"""Finding procedures by the words citizens type (pure).

Everything compares folded words (``queue_server.text.fold_words``): no accents,
``đ`` as ``d``, case-folded. A query word matches a catalogue word it starts, so a
half-typed ``khai si`` already finds ``Đăng ký khai sinh``; every query word must
match, in any order.

Vietnamese words are built of syllables (``chứng thực`` is one word, two
syllables), so a query whose syllables stand side by side in a name names that
word: when some procedure holds two neighbouring query syllables together, the
matches that only hold them scattered (``chứng nhận … thực phẩm`` for
``chung thuc``) are a different word and are left out.

People use their own names for procedures (``sổ đỏ`` for the land-use right
certificate): a vocabulary entry turns those words of the query into words of
the official name, and what it finds comes first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from queue_server.dossiers.procedures import Procedure
from queue_server.queueing.errors import QueueError
from queue_server.text import fold_words


@dataclass(frozen=True)
class VocabularyEntry:
    """``phrase`` as people say it, ``target``: words of the official name it means."""

    phrase: str
    target: str


class InvalidVocabularyEntry(QueueError):
    code = "invalid_vocabulary_entry"
    status = 400
    message = "The phrase and the official name need at least one word each."
    message_vi = "Cụm từ và tên thủ tục cần có ít nhất một chữ."


def query_words(query: str) -> list[str]:
    return fold_words(query)


def word_matches(key_words: Sequence[str], word: str) -> bool:
    """``word`` starts one of ``key_words``."""
    return any(key.startswith(word) for key in key_words)


def matches(search_key: str, words: Sequence[str]) -> bool:
    """Every query word starts a word of ``search_key`` (``Procedure.search_key``)."""
    key_words = search_key.split()
    return all(word_matches(key_words, word) for word in words)


def rewrites(words: Sequence[str], vocabulary: Iterable[VocabularyEntry]) -> list[list[str]]:
    """The queries to run, best first: each vocabulary phrase found whole in ``words``
    (longest phrase first) replaced by its target words, then ``words`` as typed."""
    found: list[tuple[int, list[str]]] = []
    for entry in vocabulary:
        phrase = fold_words(entry.phrase)
        width = len(phrase)
        for start in range(len(words) - width + 1 if width else 0):
            if list(words[start : start + width]) == phrase:
                rewritten = [*words[:start], *fold_words(entry.target), *words[start + width :]]
                found.append((width, rewritten))
                break
    found.sort(key=lambda item: -item[0])
    queries: list[list[str]] = []
    for query in [rewritten for _, rewritten in found] + [list(words)]:
        if query and query not in queries:
            queries.append(query)
    return queries


def _together(name_words: Sequence[str], words: Sequence[str]) -> int:
    """How many neighbouring pairs of query words stand side by side in the name,
    the second a whole word or, for the query's last word, its start."""
    count = 0
    for i in range(len(words) - 1):
        first, second = words[i], words[i + 1]
        last = i + 1 == len(words) - 1
        count += any(
            name_words[j] == first
            and (name_words[j + 1] == second or (last and name_words[j + 1].startswith(second)))
            for j in range(len(name_words) - 1)
        )
    return count


def _first_hit(name_words: Sequence[str], words: Sequence[str]) -> int:
    """The position of the first name word that a query word starts."""
    return next(
        (j for j, name_word in enumerate(name_words) if any(map(name_word.startswith, words))),
        len(name_words),
    )


def rank(candidates: Iterable[Procedure], words: Sequence[str]) -> list[Procedure]:
    """``candidates`` (each holding every word) best first: more query syllables side
    by side, more whole-word hits, the hit nearer the name's start, shorter names,
    then alphabetical without accents (``tạm`` before ``thường``); scattered
    matches are dropped when any candidate holds syllables together."""
    scored = []
    for procedure in candidates:
        name_words = procedure.name_words
        key_words = procedure.search_key.split()
        together = _together(name_words, words)
        whole = sum(word in key_words for word in words)
        order = (-together, -whole, _first_hit(name_words, words), len(name_words))
        scored.append((order, " ".join(name_words), procedure.code, procedure))
    if any(order[0] < 0 for order, *_ in scored):
        scored = [item for item in scored if item[0][0] < 0]
    scored.sort(key=lambda item: item[:3])
    return [procedure for *_, procedure in scored]
