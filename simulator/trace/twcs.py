"""The twcs format ("Customer Support on Twitter"): threads rebuilt from reply links.

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id. A contact is a customer's (inbound) tweet that
answers nothing; a brand is an author of non-inbound tweets. A contact's
brand is the author of a reply to it in the file, else the first brand
handle it mentions. Its first reply is the earliest brand tweet answering
it; a bump is a later tweet of the same customer answering one of the
contact's own tweets before that first reply. Other customer tweets
continue a thread and are counted as thread messages, not contacts.
"""

from __future__ import annotations

import re

import numpy as np

from carebench.trace.records import Trace
from carebench.trace.timeparse import parse_instant
from carebench.util.errors import UserError

__all__ = ["read_twcs"]

_MENTION = re.compile(r"@(\w+)")


def read_twcs(path, header, rows, zinfo, tz: str, brand: str | None, skip_bad: bool) -> Trace:
    """Contacts of a twcs file (``brand``: only that brand's)."""
    col = {name: header.index(name) for name in header}
    tweets: dict[str, tuple] = {}
    skipped = 0
    for line, row in rows:
        try:
            epoch, wall = parse_instant(row[col["created_at"]], zinfo)
        except (ValueError, IndexError):
            if not skip_bad:
                got = row[col["created_at"]] if len(row) > col["created_at"] else ""
                raise UserError(f"{path}:{line}: column 'created_at': expected a time such as "
                                f"'Wed Oct 04 13:59:33 +0000 2017', got {got!r}") from None
            skipped += 1
            continue
        parent = row[col["in_response_to_tweet_id"]].split(".")[0] if len(row) > 6 else ""
        inbound = row[col["inbound"]].strip().lower() == "true"
        tweets[row[col["tweet_id"]].strip()] = (row[col["author_id"]].strip(), inbound, epoch, wall,
                                                row[col["text"]] if len(row) > 4 else "", parent)
    brands = {t[0] for t in tweets.values() if not t[1]}
    replies: dict[str, list[tuple[float, str]]] = {}
    for author, inbound, epoch, _, _, parent in tweets.values():
        if not inbound and parent:
            replies.setdefault(parent, []).append((epoch, author))
    contacts, follow = [], 0
    children: dict[str, list[str]] = {}
    for tid, t in tweets.items():
        if t[5]:
            children.setdefault(t[5], []).append(tid)
    for tid, (author, inbound, epoch, wall, text, parent) in tweets.items():
        if not inbound:
            continue
        if parent:
            follow += 1
            continue
        answers = sorted(replies.get(tid, []))
        who = answers[0][1] if answers else next((h for h in _MENTION.findall(text) if h in brands), "")
        first = answers[0][0] if answers else np.nan
        bumps = sum(1 for c in children.get(tid, []) if tweets[c][1] and tweets[c][0] == author
                    and (not answers or tweets[c][2] < first))
        contacts.append((wall, who, author, first - epoch if answers else np.nan, bumps))
    if brand is not None:
        if brand not in brands:
            raise UserError(f"{path}: --brand {brand!r}: not in the trace; brands: {', '.join(sorted(brands))}")
        contacts = [c for c in contacts if c[1] == brand]
    arr = np.array([c[0] for c in contacts], float)
    return Trace.build(str(path), tz, arr, channel=["twitter"] * len(contacts), brand=[c[1] for c in contacts],
                       customer=[c[2] for c in contacts], latency=[c[3] for c in contacts],
                       bumps=[c[4] for c in contacts], present={"channel", "brand", "customer", "latency", "bumps"},
                       skipped=skipped, threads=follow)
