"""What the duplicate scan compares: emails, phones and names reduced to keys that two records of one person share.

Careful rather than clever: two emails or two phones are one only where the mail provider or the numbering plan
says they reach the same mailbox or line.

Emails (`email_key`)
- Case is ignored everywhere (`Ann.Lee@Example.COM` is `ann.lee@example.com`): mailboxes are case-blind in
  practice, and imports already match emails so.
- Gmail (`gmail.com`, and `googlemail.com`, which is the same service): dots in the part before the @ are
  ignored and a `+tag` is dropped, so `a.n.n.lee+news@googlemail.com` is `annlee@gmail.com`.
- Providers known to deliver `name+tag@` to `name@` (Microsoft's Outlook.com, Hotmail, Live and MSN; Apple's
  iCloud, me.com and mac.com; Fastmail; Proton; Yandex; Zoho; see PLUS_ADDRESSING_DOMAINS): a `+tag` is
  dropped, dots count.
- Every other domain keeps the part before the @ as it is: on a company's own server `ann+sales@` may well be
  another mailbox than `ann@`. Yahoo is one of these: its disposable addresses use `-`, not `+`.

Phones (`phone_key`)
- The digits, written internationally: `+31 20 555 0101`, `0031 20 555 0101` and `+31 (0)20 555 0101` are one
  number (the `(0)` of an international number is the trunk prefix, never dialled from abroad). An extension is
  ignored.
- A national form (`020 555 0101`) matches only itself: without knowing the country it cannot be told apart
  from the same digits elsewhere, so no country is guessed.
- Keys shorter than 6 digits (extensions, short codes) never match.

Names (`name_keys`)
- Case, accents and commas are folded away. Similarity (0 to 100) is the better of rapidfuzz's `ratio` on the
  names as written and on their words sorted (`fuzz.token_sort_ratio`): so `Lee, Ann` is `Ann Lee`, and a typo
  in a word's first letter (`Eva de Uruijn`), which moves the word when sorted, still reads as `Eva de Bruijn`.
  Two names are similar from NAME_CUTOFF (88) up: `Ann Lee` / `Anne Lee` (93) are, `Anna` / `Anne` (75) not.
- Names are only compared within one company, or within one email domain that is not a free-mail or internet
  provider's (FREE_MAIL_DOMAINS): two Ann Lees at gmail.com are no evidence of anything.

Scores
- The same email 100, the same phone 90, similar names 70 (at the cutoff) to 95 (the same name).
- An email or phone that more than SHARED_KEY_LIMIT (6) contacts share is a switchboard or a shared mailbox
  (info@), not one person, and links nobody.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from crm_tui.core.phones import phone_key as phone_key
from crm_tui.core.text import fold

GMAIL = "gmail.com"
GMAIL_DOMAINS = frozenset({GMAIL, "googlemail.com"})

# Consumer mail services that deliver `name+anything@` to `name@` (plus-addressing, RFC 5233 sub-addressing), as
# the email-normalize library records them per provider (github.com/gmr/email-normalize, providers.py, which finds
# them by mail server where this list names their domains): Microsoft (Outlook.com and its older domains), Apple
# (iCloud), Fastmail, Proton, Yandex and Zoho. Gmail is handled on its own (GMAIL_DOMAINS). Left out on purpose:
# Yahoo (its disposable addresses use `-`, and `name` alone may be someone else's), GMX and web.de (aliases; no
# `+` on record), and every company domain, where `+` may start another mailbox's name.
PLUS_ADDRESSING_DOMAINS = frozenset({
    # Microsoft Outlook.com and the older consumer domains it serves
    "outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.de", "outlook.fr", "hotmail.co.uk",
    "hotmail.de", "hotmail.fr", "hotmail.it", "hotmail.es", "hotmail.nl", "live.nl", "live.co.uk", "live.de",
    "live.fr",
    # Apple iCloud Mail
    "icloud.com", "me.com", "mac.com",
    # Fastmail
    "fastmail.com", "fastmail.fm",
    # Proton Mail
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me",
    # Yandex Mail
    "yandex.ru", "yandex.com", "ya.ru",
    # Zoho Mail
    "zoho.com", "zohomail.com", "zoho.eu", "zohomail.eu",
})

# Domains that many unrelated people share (free mail, internet providers): a shared one says nothing about two
# people working together, so names are not compared within them.
FREE_MAIL_DOMAINS = GMAIL_DOMAINS | PLUS_ADDRESSING_DOMAINS | frozenset({
    "yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "yahoo.es", "yahoo.it", "yahoo.co.jp", "ymail.com",
    "rocketmail.com", "aol.com", "aim.com", "mail.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com",
    "web.de", "t-online.de", "freenet.de", "posteo.de", "mailbox.org", "tutanota.com", "tutanota.de", "tuta.io",
    "hey.com", "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "yandex.by", "yandex.kz", "yandex.ua",
    "163.com", "126.com", "qq.com", "foxmail.com", "sina.com", "sohu.com", "naver.com", "daum.net", "hanmail.net",
    "ziggo.nl", "kpnmail.nl", "planet.nl", "home.nl", "hetnet.nl", "xs4all.nl", "upcmail.nl", "telenet.be",
    "skynet.be", "proximus.be", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "libero.it",
    "virgilio.it", "tiscali.it", "bluewin.ch", "btinternet.com", "sky.com", "virginmedia.com", "talktalk.net",
    "ntlworld.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net",
    "charter.net", "earthlink.net", "shaw.ca", "rogers.com", "sympatico.ca", "bigpond.com", "optusnet.com.au",
    "seznam.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl", "rediffmail.com", "uol.com.br", "bol.com.br",
})


# How sure a link is, by what two contacts share: a mailbox, a phone line, or a name alike at one workplace.
SHARED_KEY_LIMIT = 6
EMAIL_SCORE = 100
PHONE_SCORE = 90
NAME_CUTOFF = 88
NAME_SCORES = (70, 95)


def split_email(email: str) -> tuple[str, str]:
    """(local part, domain), both case-folded; an address without @ is all local part."""
    local, at, domain = email.strip().casefold().rpartition("@")
    if not at:
        return domain, ""
    return local, domain.rstrip(".")


def email_key(email: str) -> str:
    """The mailbox an address reaches, as far as its provider documents: see the module docstring."""
    local, domain = split_email(email)
    if not domain:
        return local
    if domain in GMAIL_DOMAINS:
        return f"{local.partition('+')[0].replace('.', '')}@{GMAIL}"
    if domain in PLUS_ADDRESSING_DOMAINS:
        return f"{local.partition('+')[0]}@{domain}"
    return f"{local}@{domain}"


def drops_tags(domain: str) -> bool:
    """Whether `+tag` is dropped from addresses at `domain` (folded)."""
    return domain in GMAIL_DOMAINS or domain in PLUS_ADDRESSING_DOMAINS


def shared_domain(email: str) -> str:
    """The domain of an address when it can say two people work together: "" for free mail and providers."""
    domain = split_email(email)[1]
    return "" if domain in FREE_MAIL_DOMAINS else domain



def name_keys(name: str) -> tuple[str, str]:
    """A name folded (case, accents, commas), as written and with its words sorted: what similarity compares."""
    words = fold(name).replace(",", " ").split()
    return " ".join(words), " ".join(sorted(words))


def name_ratio(a: tuple[str, str], b: tuple[str, str]) -> float:
    """How alike two names are (their `name_keys`), 0 to 100."""
    return max(fuzz.ratio(a[0], b[0]), fuzz.ratio(a[1], b[1]))


def name_score(ratio: float) -> int:
    """A name similarity (NAME_CUTOFF to 100) as a link's score, 70 to 95: identical names at one company rank
    above a shared phone line, a typo below it."""
    low, high = NAME_SCORES
    return low + round((ratio - NAME_CUTOFF) * (high - low) / (100 - NAME_CUTOFF))
