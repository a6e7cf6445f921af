"""The closed vocabularies of the engine, defined once: actions, contact kinds, urgencies, outcomes.

Each is an Enum. The integer ones (:class:`Kind`, :class:`Urgency`,
:class:`Outcome`) are ``IntEnum`` because the engine stores them as small
integers in numpy columns and compact logs; their lower-case member names are
the words scenario files, study files and output tables use. :class:`Action`
is a ``StrEnum``: a first reply's ``action`` compares equal to its word
(``Action.DEFLECT == "deflect"``), and a misspelt word is refused where it is
made instead of quietly behaving as some other action.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Annotated, Any

from pydantic.functional_serializers import PlainSerializer
from pydantic.functional_validators import BeforeValidator

__all__ = [
    "Action", "Kind", "Urgency", "Outcome", "KIND_NAMES", "URGENCY_NAMES", "OUTCOME_NAMES", "names", "word_field",
    "ReplyKind", "UrgencyWord",
]


class _Worded(IntEnum):
    """An integer code that prints as its word (``f"{Kind.QUESTION}"`` is ``'question'``)."""

    def __str__(self) -> str:
        return self.name.lower()

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Action(StrEnum):
    """How an agent's first reply to a contact goes (see :class:`carebench.engine.interface.FirstReply`)."""

    ANSWER = "answer"  # a normal reply, taking the contact's own handle time
    ACKNOWLEDGE = "acknowledge"  # a quick personal acknowledgement; resolution queues again
    DEFLECT = "deflect"  # move it to another channel or to a knowledge-base link


class Kind(_Worded):
    """What a contact is: complaints and questions need a reply, mentions do not."""

    COMPLAINT = 0
    QUESTION = 1
    MENTION = 2  # a casual mention or praise: counted, never queued


class Urgency(_Worded):
    """How urgent a contact needing a reply is (triage policies act on it); higher is more urgent."""

    NORMAL = 0
    HIGH = 1
    CRISIS = 2


class Outcome(_Worded):
    """How a contact ended (or stood when the run ended)."""

    RESOLVED = 0  # answered and resolved
    OPEN = 1  # answered, not yet resolved when the run ended
    ABANDONED = 2  # left before a first response (patience ran out on phone or chat)
    GAVE_UP = 3  # left a public channel after bumping in vain
    WAITING = 4  # still without a first response when the run ended (censored)
    PEER = 5  # answered by another customer before any agent
    MENTION = 6  # needed no reply
    DROPPED = 7  # a policy's drop-after rule took it out of the queue unanswered
    EXPIRED = 8  # reached its channel's ``expire_after`` unanswered


def names(enum: type[IntEnum]) -> tuple[str, ...]:
    """The words of an integer vocabulary in code order (``names(Kind)[1] == 'question'``)."""
    return tuple(member.name.lower() for member in enum)


KIND_NAMES = names(Kind)
URGENCY_NAMES = names(Urgency)
OUTCOME_NAMES = names(Outcome)


def word_field(enum: type[IntEnum], members: tuple[IntEnum, ...] | None = None) -> Any:
    """A scenario-file field written as one of ``enum``'s words and held as its member.

    ``members`` narrows the words accepted (default: all). The field reads
    ``'question'`` as ``Kind.QUESTION``, accepts a member as it is, and is
    written back as the word, so a scenario dumped to YAML reads the same.
    """
    allowed = tuple(enum) if members is None else members
    by_word = {m.name.lower(): m for m in allowed}

    def parse(value: object) -> IntEnum:
        if isinstance(value, enum) and value in allowed:
            return value
        if isinstance(value, str) and value in by_word:
            return by_word[value]
        raise ValueError(f"expected one of {', '.join(repr(w) for w in by_word)}")

    return Annotated[enum, BeforeValidator(parse), PlainSerializer(lambda m: m.name.lower())]


ReplyKind = word_field(Kind, (Kind.COMPLAINT, Kind.QUESTION))
"""A contact kind that needs a reply: ``complaint`` or ``question`` (injected contacts, probes)."""

UrgencyWord = word_field(Urgency)
"""An urgency class: ``normal``, ``high`` or ``crisis``."""
