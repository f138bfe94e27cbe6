"""Counts with their noun, and text fitted to a column of terminal cells, as the command line and the app show them."""

from __future__ import annotations

from hypothesis import given, strategies as st
from rich.cells import cell_len

from crm_tui.core.text import cut, fit, one_line, plural, without_controls


def test_plural_says_one_thing_or_many_with_thousands_separated():
    assert plural(1, "deal") == "1 deal"
    assert plural(0, "deal") == "0 deals"
    assert plural(1250, "open deal") == "1,250 open deals"
    assert plural(2, "activity", "activities") == "2 activities"
    assert plural(1, "activity", "activities") == "1 activity"


def test_one_line_turns_each_control_character_into_a_space_and_keeps_the_rest():
    assert one_line("Ann\tLee\n\x1b[31mred\x1b[0m  ok\x7f") == "Ann Lee  [31mred [0m  ok "
    assert one_line("  ✓ kept") == "  ✓ kept"  # the merge table's marks and indents stay where they are


def test_fit_cuts_with_an_ellipsis_and_pads_to_the_width_in_cells():
    assert fit("Ann Lee", 10) == "Ann Lee   "
    assert fit("Annemarie van der Berg", 10) == "Annemarie…"
    assert fit("王伟明先生", 6) == "王伟 …"  # two cells a character: a half character is a space
    assert cut("Ann Lee", 1) == "A" and cut("Ann Lee", 0) == ""


@given(st.text(), st.integers(min_value=0, max_value=60))
def test_fit_is_always_exactly_the_width_on_one_line(text, width):
    fitted = fit(text, width)
    assert cell_len(fitted) == width
    assert "\n" not in fitted and "\x1b" not in fitted


def test_a_name_loses_escape_sequences_whole_and_its_other_control_characters():
    assert without_controls("Lee\x1b[31m") == "Lee"
    assert without_controls("\x1b[1;31mAnn\x1b[0m Lee") == "Ann Lee"
    assert without_controls("Mc\x1b]0;a title\x07Coy") == "McCoy"
    assert without_controls("Ann\tMarie\r\nLee\x07\x00") == "Ann Marie Lee"
    assert without_controls("Zoë 王伟") == "Zoë 王伟"
