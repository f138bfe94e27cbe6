"""The search query language read: words, "exact phrases", -exclusions and operators (search_query runs them).

How a query is read, token by token (tokens are separated by spaces; a double-quoted stretch is one token):

- `ann` a word: matches records with a word starting with it (accents and case folded, as the index does).
  Punctuation splits it: `anna@zoller` needs words starting with `anna` and `zoller`, in any order.
- `"key account"` a phrase: those words, whole, in that order, next to each other.
- `-word`, `-"a phrase"` an exclusion: records matching it are left out. Before an operator, the minus excludes
  the operator's value as a word (`-tag:vip` is `-vip`): operators themselves are never negated.
- `tag:vip`, `company:acme`, `stage:proposal`, `kind:call`, `is:overdue|won|lost`: operators, names in any
  case, values bare or quoted (`tag:"key account"`). See `search_query.search` for what each selects.

Malformed queries never raise; the rule for each case:
- a quote without a closing quote is read as a space (`"exact phr` is the words `exact` and `phr`);
- an operator that is not understood is one plain word, its name and colon included: an unknown name
  (`foo:bar`), a missing value (`tag:`), a `kind:` or `is:` value that names no kind or state (`is:nonsense`),
  a `company:` value without a letter or digit. With a quoted value, the name is the word and the value a phrase
  (`is:"a b"` reads as `is:` and `"a b"`);
- a word, phrase or exclusion without a letter or digit (a lone `-`, `*`, `""`) is dropped: it can match nothing.

`kind:` and `is:` take any start of a name (`kind:ca` is `kind:call`; every kind and state has its own first
letter). `tag:` and `stage:` name a tag or stage, ignoring case and accents; while no tag or stage has exactly that
name, they take every one whose name starts with it (`tag:v` while typing `tag:vip`). Repeated, `tag:` and
`company:` must all hold; `stage:`, `kind:` and `is:` take any of their values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_tui.core.text import fold

OPERATORS = ("tag", "company", "stage", "kind", "is")
KINDS = ("call", "meeting", "email", "note", "task")
STATES = ("overdue", "won", "lost")
DEAL_STATES = ("won", "lost")
GROUPS = ("contact", "company", "deal", "activity", "note")
_GROUP_NAMES = {"contact": "contacts", "company": "companies", "deal": "deals", "activity": "activities",
                "note": "notes"}

WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"|([^\s"]+))?')
_SPACES = re.compile(r"\s*")
_OPERATOR_PREFIX = re.compile(rf"(?i)^(?:{'|'.join(OPERATORS)}):")


def pieces(text: str) -> list[str]:
    """The runs of letters and digits in `text`: what the index sees of it."""
    return WORD.findall(text)


def excluded_pieces(word: str) -> list[str]:
    """An excluded word's pieces, without an operator name it starts with (`-tag:vip` excludes `vip`)."""
    return pieces(_OPERATOR_PREFIX.sub("", word, count=1))


def _quoted(value: str) -> str:
    return f'"{value}"' if not value or any(char.isspace() for char in value) else value


def _one_of(value: str, names: tuple[str, ...]) -> str | None:
    """The one name `value` starts (ignoring case and accents), or None."""
    key = fold(value)
    found = [name for name in names if key and name.startswith(key)]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class SearchQuery:
    """A query as understood: `str()` gives it back as query text (`parse(str(q)) == q`), `describe()` in words.

    Words and excluded words are kept as typed; phrases, tags, companies and stages with their spaces squeezed;
    kinds and states as their full names.
    """

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    excluded_phrases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()

    @property
    def has_operators(self) -> bool:
        return bool(self.tags or self.companies or self.stages or self.kinds or self.states)

    @property
    def is_positive(self) -> bool:
        """Whether anything selects records: exclusions alone select nothing."""
        return bool(self.words or self.phrases or self.has_operators)

    @property
    def groups(self) -> tuple[str, ...]:
        """The kinds of result this query can find, in the order results show: those every operator applies to."""
        if not self.is_positive:
            return ()
        activity_kinds = [kind for kind in self.kinds or KINDS if kind != "note"]
        allowed = {
            "contact": not (self.stages or self.kinds or self.states),
            "company": not (self.tags or self.stages or self.kinds or self.states),
            "deal": not (self.tags or self.kinds) and set(self.states) <= set(DEAL_STATES),
            "activity": not (self.tags or self.stages) and set(self.states) <= {"overdue"} and bool(activity_kinds)
            and (not self.states or "task" in activity_kinds),
            "note": not (self.tags or self.stages or self.states) and (not self.kinds or "note" in self.kinds),
        }
        return tuple(group for group in GROUPS if allowed[group])

    def __str__(self) -> str:
        parts = [*self.words, *(f'"{phrase}"' for phrase in self.phrases), *(f"-{word}" for word in self.excluded),
                 *(f'-"{phrase}"' for phrase in self.excluded_phrases)]
        for name, values in (("tag", self.tags), ("company", self.companies), ("stage", self.stages),
                             ("kind", self.kinds), ("is", self.states)):
            parts.extend(f"{name}:{_quoted(value)}" for value in values)
        return " ".join(parts)

    def describe(self) -> str:
        """What the query finds, in words: "contacts: matching ann; without x; tagged vip"."""
        if not self.is_positive:
            return "nothing to search for" + (" (exclusions alone select nothing)" if self.excluded
                                              or self.excluded_phrases else "")
        groups = self.groups
        if not groups:
            return f"nothing: no kind of record takes all of {self}"
        conditions = []
        matched = [*self.words, *(f'"{phrase}"' for phrase in self.phrases)]
        if matched:
            conditions.append("matching " + " ".join(matched))
        if self.excluded or self.excluded_phrases:
            left_out = [" ".join(excluded_pieces(word)) for word in self.excluded]
            conditions.append("without " + ", ".join(left_out + [f'"{p}"' for p in self.excluded_phrases]))
        for label, values, joiner in (("tagged", self.tags, " and "), ("at a company matching", self.companies,
                                      " and "), ("in stage", self.stages, " or "), ("of kind", self.kinds, " or "),
                                      ("that are", self.states, " or ")):
            if values:
                conditions.append(f"{label} {joiner.join(values)}")
        names = "everything" if groups == GROUPS else ", ".join(_GROUP_NAMES[group] for group in groups)
        return f"{names}: {'; '.join(conditions)}"


def _norm(value: str) -> str:
    return " ".join(value.split())


def _operator(name: str, value: str | None) -> tuple[str, str] | None:
    """(field, value) for an operator that is understood, else None (the token is then read as plain words)."""
    if name not in OPERATORS or value is None or not _norm(value):
        return None
    value = _norm(value)
    if name == "kind":
        kind = _one_of(value, KINDS)
        return ("kinds", kind) if kind else None
    if name == "is":
        state = _one_of(value, STATES)
        return ("states", state) if state else None
    if name == "company" and not pieces(value):
        return None
    return {"tag": "tags", "company": "companies", "stage": "stages"}[name], value


def _balanced(text: str) -> str:
    """Quotes pair up from the left; the last one, when it has no partner, becomes a space."""
    if text.count('"') % 2:
        last = text.rindex('"')
        text = f"{text[:last]} {text[last + 1:]}"
    return text


def parse(text: str) -> SearchQuery:
    """Read `text` as a query; never raises (see the module docstring for how malformed parts are read)."""
    found: dict[str, list[str]] = {name: [] for name in SearchQuery.__dataclass_fields__}
    text = _balanced(text)
    position = 0
    while True:
        spaces = _SPACES.match(text, position)
        assert spaces is not None  # both patterns match the empty string, so anywhere
        position = spaces.end()
        if position >= len(text):
            break
        token = _TOKEN.match(text, position)
        assert token is not None
        position = max(token.end(), position + 1)
        negated, name, quoted, bare = token.groups()
        if negated:
            if quoted is not None:
                found["excluded_phrases"].append(_norm(quoted))
            elif name is not None or bare is not None:
                found["excluded"].append(f"{name}:{bare or ''}" if name else bare)
            continue
        if name is None:
            found["phrases" if quoted is not None else "words"].append(_norm(quoted) if quoted is not None else bare)
            continue
        understood = _operator(name.lower(), quoted if quoted is not None else bare)
        if understood is not None:
            found[understood[0]].append(understood[1])
        elif quoted is not None:
            found["words"].append(f"{name}:")
            found["phrases"].append(_norm(quoted))
        else:
            found["words"].append(f"{name}:{bare or ''}")
    found["words"] = [word for word in found["words"] if pieces(word)]
    found["phrases"] = [phrase for phrase in found["phrases"] if pieces(phrase)]
    found["excluded"] = [word for word in found["excluded"] if excluded_pieces(word)]
    found["excluded_phrases"] = [phrase for phrase in found["excluded_phrases"] if pieces(phrase)]
    return SearchQuery(**{name: tuple(dict.fromkeys(values)) for name, values in found.items()})
