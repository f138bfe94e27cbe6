"""How the `crm-tui` commands print: JSON for scripts, aligned text for people. Every command module prints
through here."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable


class Output:
    """Prints records as JSON or as aligned text, streaming lists so memory stays flat."""

    def __init__(self, as_json: bool):
        self.as_json = as_json

    def record(self, data, text_lines: Iterable[str]) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            for line in text_lines:
                print(line)

    def rows(self, items: Iterable, to_dict, to_line) -> None:
        if not self.as_json:
            for item in items:
                print(to_line(item))
            return
        separator = "\n  "
        sys.stdout.write("[")
        for item in items:
            sys.stdout.write(separator + json.dumps(to_dict(item), ensure_ascii=False))
            separator = ",\n  "
        sys.stdout.write("]\n" if separator == "\n  " else "\n]\n")

