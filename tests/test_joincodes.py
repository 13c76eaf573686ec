"""Join codes: unambiguous alphabet, forgiving input, enough randomness."""
import pytest

from workshop import joincodes

# Groups of characters that are confused on a projector, in handwriting or in a poor font.
LOOK_ALIKES = ["0OQD", "1IL7", "2Z", "5S", "6G", "8B", "UV", "VY"]


@pytest.mark.parametrize("group", LOOK_ALIKES)
def test_alphabet_keeps_at_most_one_of_each_look_alike_group(group):
    assert len(set(group) & set(joincodes.ALPHABET)) <= 1


def test_alphabet_has_no_repeats():
    assert len(set(joincodes.ALPHABET)) == len(joincodes.ALPHABET)


def test_generated_codes_are_well_formed_and_vary():
    codes = {joincodes.generate(6) for _ in range(2000)}
    assert all(joincodes.is_well_formed(code, 6) for code in codes)
    assert len(codes) > 1990  # 86 million possibilities: a repeat in 2,000 draws is rare
    used = set("".join(codes))
    assert used == set(joincodes.ALPHABET)  # every symbol gets used


@pytest.mark.parametrize("typed", ["k7m4px", " K7M 4PX ", "k7m-4px", "K7M—4PX", "k7m.4px\n"])
def test_typed_codes_are_normalised(typed):
    assert joincodes.normalise(typed) == "K7M4PX"


@pytest.mark.parametrize("code", ["", "K7M4P", "K7M4PXA", "K7M4P0", "K7M4PÄ", "<scri"])
def test_malformed_codes_are_refused(code):
    assert not joincodes.is_well_formed(joincodes.normalise(code), 6)


def test_display_groups_the_code_for_reading_aloud():
    assert joincodes.display("K7M4PX") == "K7M 4PX"


def test_keyspace_is_documented_correctly():
    # The README quotes these figures; keep them true.
    assert joincodes.keyspace(6) == 21**6 == 85_766_121
    assert 26.3 < joincodes.bits(6) < 26.4
