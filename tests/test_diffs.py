from hypothesis import given
from hypothesis import strategies as st

from licenses import diffs

# Texts made of a few words, spaces and line breaks, so that two of them share lines and words.
texts = st.lists(st.sampled_from(["grant", "the", "model", " ", "  ", "\n", "\n\n", "Outputs", "1."]), max_size=60).map(
    "".join
)


@given(old=texts, new=texts)
def test_the_word_diff_rebuilds_both_texts_in_few_pieces(old, new):
    pieces = diffs.word_diff(old, new)
    assert "".join(text for op, text in pieces if op != "insert") == old
    assert "".join(text for op, text in pieces if op != "delete") == new
    assert all(text for _, text in pieces), "no empty piece"
    assert all(a[0] != b[0] for a, b in zip(pieces, pieces[1:], strict=False)), "neighbours of one kind are merged"


def test_two_changed_words_in_a_long_text_are_all_it_shows():
    lines = [f"Line {n} says the same thing as ever.\n" for n in range(300)]
    old = "".join(lines)
    new = old.replace("Line 150 says the same", "Line 150 says a different")
    pieces = diffs.word_diff(old, new)
    changed = [(op, text) for op, text in pieces if op != "equal"]
    assert changed == [("delete", "the"), ("insert", "a"), ("delete", "same"), ("insert", "different")]
