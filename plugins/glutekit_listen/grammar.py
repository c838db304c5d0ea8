"""What the listener understands: a wake word, then one of a few commands.

Pure data and text: the word lists, the phrase for each command, the small language
model the recogniser decodes with, and the rule that finds a command in decoded words.

The language model gives the recogniser a choice: everything it hears is decoded as
either the wake word and a command ("coach pause") or ordinary words (the coach's own
cues, other talk). A command's words are reached only through the wake word, so
"pause" or "next up" said by the coach decodes as ordinary words and is never obeyed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence

from glutekit.model.records import record

WAKE_WORD = "coach"


@record(frozen=True, kw_only=True)
class Command:
    """One spoken command and the session control it drives."""

    #: The control's name: pause, resume, skip, back, repeat, stop, time_left.
    action: str
    #: The words said after the wake word.
    words: str
    #: What the command does, for the docs and ``--help``.
    meaning: str

    @property
    def phrase(self) -> str:
        return f"{WAKE_WORD} {self.words}"


COMMANDS: tuple[Command, ...] = (
    Command(action="pause", words="pause", meaning="pause the session"),
    Command(action="resume", words="go on", meaning="carry on after a pause"),
    Command(action="skip", words="next", meaning="skip to the next step"),
    Command(action="back", words="back", meaning="go back to the start of the step"),
    Command(action="repeat", words="again", meaning="say the last instruction again"),
    Command(action="stop", words="stop", meaning="end the session"),
    Command(action="time_left", words="how long", meaning="show the time left"),
)

#: Everyday words the decoder may choose instead of a command. They absorb the coach's
#: speech, other talk and noise; words of the cues are added per session.
FILLER_WORDS = [
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "but",
    "by",
    "can",
    "come",
    "do",
    "down",
    "eight",
    "end",
    "five",
    "for",
    "four",
    "from",
    "get",
    "go",
    "good",
    "great",
    "hand",
    "here",
    "hip",
    "hold",
    "how",
    "i",
    "in",
    "is",
    "it",
    "just",
    "keep",
    "knee",
    "left",
    "leg",
    "let",
    "long",
    "me",
    "more",
    "my",
    "nine",
    "no",
    "now",
    "of",
    "off",
    "ok",
    "on",
    "one",
    "or",
    "out",
    "right",
    "say",
    "see",
    "seven",
    "side",
    "six",
    "slow",
    "so",
    "start",
    "stay",
    "ten",
    "that",
    "the",
    "then",
    "there",
    "this",
    "three",
    "time",
    "to",
    "turn",
    "two",
    "up",
    "wait",
    "we",
    "well",
    "what",
    "with",
    "yes",
    "you",
    "your",
]

_WORD = re.compile(r"[a-z][a-z']*")


def words_of(texts: Iterable[str]) -> set[str]:
    """The lower-case words in ``texts`` (for adding the cue words to the filler)."""
    found: set[str] = set()
    for text in texts:
        found.update(_WORD.findall(text.lower()))
    return found


def command_words() -> set[str]:
    return {word for command in COMMANDS for word in command.phrase.split()}


def token(command: Command) -> str:
    """The words after the wake word as one word of the recogniser's dictionary
    ("cmd_go_on"), kept apart from the same words in ordinary speech."""
    return "cmd_" + command.words.replace(" ", "_")


_BY_TOKEN = {token(command): command for command in COMMANDS}


#: Which of a word's dictionary pronunciations a command uses, where it is not the
#: first: "on" in "go on" is said with the vowel of "law" more often than of "father",
#: and only one may be listed (two would split the command's certainty between them).
_SAID_AS = {"on": "on(2)"}


def dictionary(pronounce: Callable[[str], str | None], filler: Iterable[str]) -> str:
    """The recogniser's pronouncing dictionary: the wake word, each filler word, and
    each command's words as one word (:func:`token`).

    ``pronounce`` gives a word's phones ("K OW CH") or None for a word it does not
    know (such words are left out). One pronunciation per command: alternatives would
    split the command's posterior probability between them.
    """
    lines = []
    for word in sorted({*filler, WAKE_WORD}):
        phones = pronounce(word)
        if phones:
            lines.append(f"{word} {phones}")
    for command in COMMANDS:
        parts = [pronounce(_SAID_AS.get(word, word)) for word in command.words.split()]
        if all(parts):
            lines.append(f"{token(command)} {' '.join(p for p in parts if p)}")
    return "\n".join(lines) + "\n"


def language_model(
    filler: Iterable[str], *, wake_log10: float = -2.0, after_wake_log10: float = -3.0
) -> str:
    """An ARPA bigram model: any filler word in any order, or the wake word + a command.

    The command's words are a word of their own (:func:`token`) that only the wake
    word leads to, so the coach saying "pause" is never a command, and after the wake
    word the decoder weighs a command against everything else. ``wake_log10`` is the
    wake word's log-probability: higher makes the recogniser quicker to hear a command
    (more detections, more false ones); ``after_wake_log10`` weighs an ordinary word
    after the wake word.
    """
    vocabulary = sorted(set(filler) - {WAKE_WORD})
    uniform = math.log10(1.0 / len(vocabulary))
    unigrams = [("<s>", -99.0, 0.0), ("</s>", uniform, 0.0)]
    unigrams += [(WAKE_WORD, wake_log10, after_wake_log10)]
    unigrams += [(word, uniform, 0.0) for word in vocabulary]
    unigrams += [(token(command), -9.0, 0.0) for command in COMMANDS]
    per_command = math.log10(1.0 / len(COMMANDS))
    bigrams = [(WAKE_WORD, token(command), per_command) for command in COMMANDS]
    lines = ["\\data\\", f"ngram 1={len(unigrams)}", f"ngram 2={len(bigrams)}", ""]
    lines += ["\\1-grams:"]
    lines += [f"{prob:.4f} {word} {backoff:.4f}" for word, prob, backoff in unigrams]
    lines += ["", "\\2-grams:"]
    lines += [f"{prob:.4f} {a} {b}" for a, b, prob in bigrams]
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def find_command(words: Sequence[str]) -> tuple[Command, int, int] | None:
    """The first command in decoded ``words``: (command, wake word's index, index of
    the command's words)."""
    for index, (word, after) in enumerate(itertools.pairwise(words)):
        command = _BY_TOKEN.get(after)
        if word == WAKE_WORD and command is not None:
            return command, index, index + 1
    return None


def uses_wake_word(text: str) -> bool:
    """Whether a cue text contains the wake word (the listener could obey the coach)."""
    return WAKE_WORD in words_of([text])
