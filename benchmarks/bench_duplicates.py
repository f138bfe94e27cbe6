"""Duplicate scan benchmark: N contacts with known duplicates and decoys, scanned, scored against the truth.

    python benchmarks/bench_duplicates.py                   # 100,000 contacts
    python benchmarks/bench_duplicates.py --contacts 20000

The database holds demo contacts made free of duplicates (every email, phone and, within one company or company
email domain, every name distinct by the scan's own rules), plus about 2% injected copies of some of them:
- email variants: the same address in other case; Gmail with dots moved, a `+tag` or googlemail.com; `+tag` at a
  provider that documents it (Outlook, Hotmail, iCloud, Proton);
- the same phone written otherwise: 0031 for +31, without spaces, with the trunk `(0)`;
- a typo in the name (a letter doubled, dropped, swapped or changed) at the same company;
and about 1% decoys that must NOT be linked: the same first name at another company, the same full name at
another company, the same name with another Gmail address.

Printed: the scan's time (in a fresh process), contacts/s, its peak RSS, groups found, recall and precision of
the contact pairs the groups imply against the injected pairs, decoys linked; the baseline, a raw
`GROUP BY lower(email)` over the same database in the same run; `likely_duplicates` p50/p95 over 200 drafts (150
injected copies, 50 new people) and how many copies it found; and one company of 20,000 contacts compared on its
own. Never run by CI; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from itertools import combinations
from pathlib import Path

from bench_core import print_table
from rapidfuzz import fuzz, process

from crm_tui.core import demo, duplicates
from crm_tui.core.contacts import bulk
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.db import close_database, open_database
from crm_tui.core.demo import pools
from crm_tui.core.duplicates.keys import NAME_CUTOFF, email_key, name_keys, phone_key, shared_domain
from crm_tui.core.records import new_batch_id
from crm_tui.core.text import fold

DUPLICATE_SHARE = 0.02
DECOY_SHARE = 0.01
DUPLICATE_KINDS = {"email case": 20, "gmail variant": 15, "plus tag": 10, "phone format": 25, "name typo": 30}
DECOY_KINDS = ("first name elsewhere", "full name elsewhere", "name, other gmail")
PLUS_PROVIDERS = ("outlook.com", "hotmail.com", "icloud.com", "proton.me")
LATIN = frozenset(("nl", "en", "de"))
BIG_COMPANY = 20_000


class Registry:
    """What the database already holds, so every new draft adds only the duplicates meant."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.names: dict[str, list[tuple[str, str]]] = {}

    @staticmethod
    def blocks(draft: ContactDraft) -> list[str]:
        found = [f"company:{fold(draft.company)}"] if draft.company else []
        return found + [f"domain:{domain}" for domain in {shared_domain(email) for email in draft.emails} if domain]

    def name_clash(self, draft: ContactDraft) -> bool:
        return any(self.alike(draft, block) for block in self.blocks(draft))

    def alike(self, draft: ContactDraft, block: str) -> list[tuple[str, str]]:
        """The names in `block` like the draft's, by the scan's own measure."""
        keys, others = name_keys(f"{draft.first_name} {draft.last_name}"), self.names.get(block, [])
        hits = {index for form in (0, 1) for _, _, index in process.extract(
            keys[form], [other[form] for other in others], scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF, limit=None)}
        return [others[index] for index in sorted(hits)]

    def similar_names(self, draft: ContactDraft, besides: tuple[str, str]) -> int:
        """How many names other than `besides` (its `name_keys`) are like the draft's in its blocks."""
        return sum(1 for block in self.blocks(draft) for other in self.alike(draft, block) if other != besides)

    def clashes(self, draft: ContactDraft) -> bool:
        return (any(email_key(email) in self.emails for email in draft.emails)
                or any(phone_key(phone) in self.phones for phone in draft.phones) or self.name_clash(draft))

    def add(self, draft: ContactDraft) -> None:
        self.emails.update(email_key(email) for email in draft.emails)
        self.phones.update(phone_key(phone) for phone in draft.phones)
        for block in self.blocks(draft):
            self.names.setdefault(block, []).append(name_keys(f"{draft.first_name} {draft.last_name}"))


def locale_of(draft: ContactDraft) -> str:
    return next((loc for loc in pools.LOCALES if draft.first_name in pools.FIRST_NAMES[loc]), "en")


def unique_phone(rng: random.Random, locale: str, registry: Registry) -> str:
    while True:
        phone = pools.fill_digits(rng.choice(pools.PHONE_FORMATS[locale]), rng)
        if phone_key(phone) not in registry.phones:
            return phone


def unique_email(local: str, domain: str, rng: random.Random, registry: Registry) -> str:
    email = f"{local}@{domain}"
    while email_key(email) in registry.emails:
        email = f"{local}{rng.randrange(100, 100_000)}@{domain}"
    return email


def make_distinct(draft: ContactDraft, rng: random.Random, registry: Registry) -> ContactDraft | None:
    """The demo draft with clashing emails or phones renewed and, where its name clashes in a block, another
    name drawn; None if no free name was found."""
    locale = locale_of(draft)
    for _ in range(30):
        emails = [email if email_key(email) not in registry.emails else unique_email(
            *email.rsplit("@", 1), rng, registry) for email in draft.emails]
        phones = [phone if phone_key(phone) not in registry.phones else unique_phone(rng, locale, registry)
                  for phone in draft.phones]
        candidate = replace(draft, emails=emails, phones=phones)
        if not registry.clashes(candidate):
            return candidate
        draft = replace(draft, first_name=rng.choice(pools.FIRST_NAMES[locale]),
                        last_name=rng.choice(pools.LAST_NAMES[locale]))
    return None


def case_variant(email: str) -> str:
    local, domain = email.rsplit("@", 1)
    return f"{local[:1].upper()}{local[1:]}@{domain.upper()}"


def gmail_variant(email: str, rng: random.Random) -> str:
    local = email.rsplit("@", 1)[0].replace(".", "")
    choice = rng.randrange(3)
    if choice == 0 and len(local) > 2:
        cut = rng.randrange(1, len(local) - 1)
        return f"{local[:cut]}.{local[cut:]}@gmail.com"
    if choice == 1:
        return f"{local}+{rng.choice(('news', 'shop', 'crm'))}@gmail.com"
    return f"{local}@googlemail.com"


def phone_variant(phone: str, rng: random.Random) -> str:
    country, _, rest = phone.partition(" ")
    choice = rng.randrange(3)
    if choice == 0:
        return f"00{country[1:]} {rest}"
    if choice == 1:
        return phone.replace(" ", "")
    return f"{country} (0){rest}"


def typo(name: str, rng: random.Random) -> str:
    """`name` with one slip of the finger inside a word: a letter doubled, dropped, swapped or changed."""
    letters = [i for i in range(1, len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()]
    if not letters:
        return name
    position = rng.choice(letters)
    choice = rng.randrange(4)
    if choice == 0:
        return name[:position] + name[position] + name[position:]
    if choice == 1:
        return name[:position] + name[position + 1:]
    if choice == 2:
        return name[:position] + name[position + 1] + name[position] + name[position + 2:]
    vowels = [vowel for vowel in "aeiou" if vowel != name[position]]
    return name[:position] + rng.choice(vowels) + name[position + 1:]


def duplicate_of(kind: str, original: ContactDraft, serial: int, rng: random.Random,
                 registry: Registry) -> ContactDraft | None:
    """A second record of `original`'s person, sharing only what `kind` says; None if `original` does not fit."""
    bare = ContactDraft(first_name=original.first_name, last_name=original.last_name)
    emails = list(original.emails)
    if kind == "email case":
        return replace(bare, emails=[case_variant(emails[0])])
    if kind == "gmail variant":
        gmail = [email for email in emails if email.endswith("@gmail.com")]
        return replace(bare, emails=[gmail_variant(gmail[0], rng)]) if gmail else None
    if kind == "plus tag":
        tagged = [email for email in emails if email.rsplit("@", 1)[1] in PLUS_PROVIDERS]
        if not tagged:
            return None
        local, domain = tagged[0].rsplit("@", 1)
        return replace(bare, emails=[f"{local}+{rng.choice(('work', 'list', 'x'))}@{domain}"])
    if kind == "phone format":
        if not original.phones:
            return None
        return replace(bare, phones=[phone_variant(original.phones[0], rng)],
                       emails=[unique_email(f"other.{serial}", "web.de", rng, registry)])
    if not original.company or locale_of(original) not in LATIN or len(original.last_name) < 4:
        return None
    domain = next((shared_domain(email) for email in emails if shared_domain(email)), "")
    copy = replace(bare, last_name=typo(original.last_name, rng), company=original.company,
                   emails=[unique_email(f"x{serial}", domain, rng, registry)] if domain else [])
    # A typo that makes the name like a third colleague's would blur the truth: only the original may be alike.
    besides = name_keys(f"{original.first_name} {original.last_name}")
    return copy if copy.last_name != original.last_name and not registry.similar_names(copy, besides) else None


def decoy_of(kind: str, original: ContactDraft, rng: random.Random, registry: Registry,
             companies: list[str]) -> ContactDraft | None:
    locale = locale_of(original)
    phones = [unique_phone(rng, locale, registry)]
    if kind == "name, other gmail":
        if original.company:
            return None
        local = f"{pools.ascii_slug(original.first_name)}{rng.randrange(100, 10_000)}"
        draft = ContactDraft(first_name=original.first_name, last_name=original.last_name, phones=phones,
                             emails=[unique_email(local or "x", "gmail.com", rng, registry)])
    else:
        last = original.last_name if kind == "full name elsewhere" else rng.choice(pools.LAST_NAMES[locale])
        others = [name for name in companies if name != original.company]
        draft = ContactDraft(first_name=original.first_name, last_name=last, company=rng.choice(others),
                             phones=phones)
    return None if registry.clashes(draft) else draft


def make_drafts(total: int, seed: int) -> tuple[list[ContactDraft], set[tuple[int, int]], set[int], Counter]:
    """Drafts in insertion order (position + 1 is the id), the injected pairs (by position), the decoys'
    positions, and how many of each kind went in."""
    rng = random.Random(seed)
    wanted_duplicates, wanted_decoys = round(total * DUPLICATE_SHARE), round(total * DECOY_SHARE)
    registry, drafts = Registry(), []
    for draft in demo.contact_drafts(total - wanted_duplicates - wanted_decoys, seed):
        distinct = make_distinct(draft, rng, registry)
        if distinct is not None:
            registry.add(distinct)
            drafts.append(distinct)
    companies = sorted({draft.company for draft in drafts if draft.company})
    truth, decoys, kinds = set(), set(), Counter()
    originals = rng.sample(range(len(drafts)), len(drafts))
    plan = rng.choices(list(DUPLICATE_KINDS), list(DUPLICATE_KINDS.values()), k=wanted_duplicates)
    plan += [rng.choice(DECOY_KINDS) for _ in range(wanted_decoys)]
    for kind in plan:
        while originals:
            position = originals.pop()
            original = drafts[position]
            if kind in DECOY_KINDS:
                made = decoy_of(kind, original, rng, registry, companies)
            else:
                made = duplicate_of(kind, original, len(drafts), rng, registry)
            if made is not None:
                break
        else:
            break
        registry.add(made)
        if kind in DECOY_KINDS:
            decoys.add(len(drafts))
        else:
            truth.add((position, len(drafts)))
        drafts.append(made)
        kinds[kind] += 1
    return drafts, truth, decoys, kinds


def build(path: Path, drafts: list[ContactDraft]) -> None:
    open_database(path)
    result = bulk.create_contacts(drafts, new_batch_id())
    close_database()
    if result.rejected or result.first_id != 1:
        raise SystemExit(f"unexpected load: {len(result.rejected)} rejected, first id {result.first_id}")


def peak_rss_mib() -> float:
    """This process's own peak RSS (VmHWM): getrusage's figure, in a child, includes its parent's at the fork."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def scan_in_this_process(path: Path) -> None:
    """Run by the fresh process: scan, then print the time, the peak RSS and the groups as JSON."""
    open_database(path)
    started = time.perf_counter()
    groups = duplicates.scan()
    seconds = time.perf_counter() - started
    close_database()
    print(json.dumps({"seconds": seconds, "rss_mib": peak_rss_mib(),
                      "groups": [[list(group.contact_ids), group.score] for group in groups]}))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_checks(drafts: list[ContactDraft], truth: set[tuple[int, int]], seed: int) -> tuple[str, str]:
    """`likely_duplicates` over 150 injected copies (their originals expected) and 50 new people."""
    rng = random.Random(seed + 1)
    pairs = rng.sample(sorted(truth), min(150, len(truth)))
    fresh = list(demo.contact_drafts(50, seed + 2))
    for _, copy in pairs[:20]:  # warm the caches and statements first, as a form in use has them
        duplicates.likely_duplicates(drafts[copy], exclude_id=copy + 1)
    samples, found = [], 0
    for original, copy in pairs:
        started = time.perf_counter()
        hits = duplicates.likely_duplicates(drafts[copy], exclude_id=copy + 1)
        samples.append((time.perf_counter() - started) * 1000)
        found += any(hit.contact_id == original + 1 for hit in hits)
    for draft in fresh:
        started = time.perf_counter()
        duplicates.likely_duplicates(draft)
        samples.append((time.perf_counter() - started) * 1000)
    return (f"p50 {percentile(samples, 0.5):.2f} ms, p95 {percentile(samples, 0.95):.2f} ms",
            f"{found}/{len(pairs)} copies found their original")


def big_company(seed: int) -> tuple[float, int]:
    """Seconds to compare the names of one company of BIG_COMPANY contacts, and the similar pairs found."""
    keys = [name_keys(f"{draft.first_name} {draft.last_name}") for draft in demo.contact_drafts(BIG_COMPANY, seed)]
    started = time.perf_counter()
    found = sum(1 for _ in duplicates.similar_pairs(keys))
    return time.perf_counter() - started, found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, help="where to put the temporary database (default: system temp)")
    parser.add_argument("--scan", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scan:
        scan_in_this_process(args.scan)
        return 0
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "duplicates.sqlite3"
        print(f"making {args.contacts:,} contacts with known duplicates…", file=sys.stderr)
        drafts, truth, decoys, kinds = make_drafts(args.contacts, args.seed)
        build(path, drafts)
        print("scanning in a fresh process…", file=sys.stderr)
        child = subprocess.run([sys.executable, __file__, "--scan", str(path)], check=True, capture_output=True,
                               text=True)
        scanned = json.loads(child.stdout)
        found_pairs = {pair for ids, _ in scanned["groups"] for pair in combinations(ids, 2)}
        true_pairs = {(a + 1, b + 1) for a, b in truth}
        hits = len(found_pairs & true_pairs)
        linked = {contact_id for ids, _ in scanned["groups"] for contact_id in ids}
        connection = sqlite3.connect(path)
        started = time.perf_counter()
        shared = connection.execute("SELECT lower(email), count(*) FROM contact_email GROUP BY lower(email) "
                                    "HAVING count(*) > 1").fetchall()
        baseline = time.perf_counter() - started
        connection.close()
        seconds = scanned["seconds"]
        rows += [
            ("contacts", f"{len(drafts):,}", f"{len(truth):,} injected duplicates, {len(decoys):,} decoys"),
            *((f"  {kind}", f"{count:,}", "decoy" if kind in DECOY_KINDS else "injected duplicate")
              for kind, count in sorted(kinds.items())),
            ("baseline: GROUP BY lower(email)", f"{baseline:.2f} s", f"{len(shared):,} shared emails found"),
            ("scan (fresh process)", f"{seconds:.2f} s", f"{len(drafts) / seconds:,.0f} contacts/s; "
             f"{seconds / baseline:.1f}x the baseline; target ≤ 60 s at 100k"),
            ("scan peak RSS", f"{scanned['rss_mib']:,.0f} MiB", "the scanning process"),
            ("groups found", f"{len(scanned['groups']):,}", f"{len(found_pairs):,} contact pairs"),
            ("recall", f"{hits / max(len(true_pairs), 1):.1%}", f"{hits:,} of {len(true_pairs):,} injected pairs"),
            ("precision", f"{hits / max(len(found_pairs), 1):.1%}", "pairs found that were injected"),
            ("decoys linked", f"{len(decoys & {contact_id - 1 for contact_id in linked}):,}", "should be 0"),
        ]
        open_database(path)
        timing, found = time_checks(drafts, truth, args.seed)
        rows.append(("likely_duplicates: 200 drafts", timing, found))
        close_database()
    big_seconds, big_pairs = big_company(args.seed)
    rows.append((f"one company of {BIG_COMPANY:,}: names", f"{big_seconds:.2f} s",
                 f"{BIG_COMPANY * (BIG_COMPANY - 1) // 2:,} pairs compared, {big_pairs:,} similar"))
    rows.append(("peak RSS (building)", f"{peak_rss_mib():,.0f} MiB", "this process"))
    print(f"\ncrm-tui duplicate benchmark: {len(drafts):,} contacts, seed {args.seed}, "
          f"SQLite {sqlite3.sqlite_version}\n")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
