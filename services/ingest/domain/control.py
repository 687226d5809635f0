"""Text that is safe downstream: no control characters in what customers wrote.

Channels deliver whatever their senders typed or their connectors mangled, and JSON
carries any code point, NUL included (``"a\\u0000b"``). Sinks downstream refuse some
of them (PostgreSQL's ``text`` refuses NUL) and terminals act on others (escape
sequences), so the free text of a message (body, subject, the customer's name) keeps
only printable characters, tab and line breaks:

* removed: every other C0 control (U+0000-U+001F), DEL (U+007F) and every C1 control
  (U+0080-U+009F); these are what the metric counts;
* kept as line breaks: CR LF and a lone CR become LF, and so do the other characters
  that end a line (vertical tab, form feed, NEL U+0085), so words on two lines are not
  glued together. E-mail bodies come with CR LF as a rule; turning them into LF loses
  nothing and is not counted.

Ids and references are left as they came: they are the sender's own tokens, compared
for de-duplication and threading.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from schemas.ingest import NormalisedMessage

#: Characters that end a line: CR LF (first, so it becomes one LF), CR, VT, FF, NEL.
_LINE_ENDS = re.compile("\r\n|[\r\x0b\x0c\x85]")
#: The C0 controls but tab and LF (and the line ends above, already replaced), DEL, C1.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


class Cleaned(NamedTuple):
    text: str
    removed: int


def clean_text(text: str) -> Cleaned:
    """``text`` with line ends as LF and the other control characters removed."""
    if text.isascii() and text.isprintable():
        return Cleaned(text, 0)  # the common case: nothing to scan twice
    lines = _LINE_ENDS.sub("\n", text)
    cleaned, removed = _CONTROLS.subn("", lines)
    return Cleaned(cleaned, removed)


def clean_message(message: NormalisedMessage) -> tuple[NormalisedMessage, int]:
    """The message with clean free text, and how many control characters were removed."""
    text = clean_text(message.text)
    subject = clean_text(message.subject) if message.subject is not None else None
    name = clean_text(message.customer.name) if message.customer.name is not None else None
    removed = text.removed + (subject.removed if subject else 0) + (name.removed if name else 0)
    unchanged = (
        text.text == message.text
        and (subject is None or subject.text == message.subject)
        and (name is None or name.text == message.customer.name)
    )
    if unchanged:
        return message, removed
    customer = (
        message.customer
        if name is None
        else message.customer.model_copy(update={"name": name.text})
    )
    update: dict[str, Any] = {"text": text.text, "customer": customer}
    if subject is not None:
        update["subject"] = subject.text
    return message.model_copy(update=update), removed
