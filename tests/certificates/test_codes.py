"""Certificate codes: format, randomness, the check symbol and how typed codes are read."""

import itertools

import pytest

from elearning.certificates import codes

SAMPLES = ["7KQ2M9XD4", "000000000", "ZZZZZZZZZ", "0123456789"[:9], "ABCDEFGHJ", "KMNPQRSTV"]


def test_new_code_format():
    for _ in range(200):
        code = codes.new_code()
        assert codes.CODE_PATTERN.match(code), code
        assert len(code) == 16 and code.startswith("RLS-")
        assert not set(code[4:]) & set("ILOU")
        assert codes.normalise(code) == code


def test_new_codes_are_random():
    assert len({codes.new_code() for _ in range(2000)}) == 2000


def test_known_check_symbols():
    """Pin the algorithm: changing it would make every printed code fail verification."""
    assert codes.check_symbol("000000000") == "0"
    assert codes.check_symbol("100000000") == "2"  # weight alpha^1 = x = 2
    assert codes.check_symbol("010000000") == "4"  # weight alpha^2 = 4
    assert codes.check_symbol("000010000") == "5"  # alpha^5 = x^2 + 1 = 5 with x^5 + x^2 + 1
    assert codes.format_code("7KQ2M9XD4") == "RLS-7KQ2-M9XD-4" + codes.check_symbol("7KQ2M9XD4")


def test_weights_are_distinct_and_non_zero():
    weights = [1, *codes._WEIGHTS]  # the check symbol has weight alpha^0 = 1
    assert len(set(weights)) == len(weights) == 10 and 0 not in weights


def _body(code: str) -> str:
    return code.replace("RLS-", "").replace("-", "")


@pytest.mark.parametrize("data", SAMPLES)
def test_every_single_wrong_symbol_is_caught(data):
    body = _body(codes.format_code(data))
    for position, symbol in itertools.product(range(10), codes.ALPHABET):
        if symbol == body[position]:
            continue
        typo = body[:position] + symbol + body[position + 1:]
        assert codes.normalise(typo) is None, (body, typo)


@pytest.mark.parametrize("data", SAMPLES)
def test_every_swap_of_two_symbols_is_caught(data):
    body = _body(codes.format_code(data))
    for i, j in itertools.combinations(range(10), 2):
        if body[i] == body[j]:
            continue
        swapped = list(body)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        assert codes.normalise("".join(swapped)) is None, (body, i, j)


def test_typed_forms_are_accepted():
    code = codes.format_code("7KQ2M9XD4")
    body = _body(code)
    for typed in (code, code.lower(), body, body.lower(), f"rls {body[:4]} {body[4:8]} {body[8:]}",
                  f"  {code}  ", f"RLS{body}", code.replace("-", " – "), f"{body[:4]}-{body[4:8]}-{body[8:]}"):
        assert codes.normalise(typed) == code, typed


def test_crockford_look_alikes_are_read_as_digits():
    code = codes.format_code("010011010")  # RLS-0100-1101-0?
    body = _body(code)
    assert codes.normalise(body.replace("0", "O")) == code
    assert codes.normalise(body.replace("1", "I")) == code
    assert codes.normalise(body.replace("1", "l")) == code


@pytest.mark.parametrize("typed", [None, "", "RLS", "RLS-7KQ2-M9XD", "RLS-7KQ2-M9XD-4TT", "XYZ-7KQ2-M9XD-4T",
                                   "RLS-7KQ2-M9XD-4U", "RLS_7KQ2_M9XD_4T", "R" * 100, "<script>", 12345])
def test_malformed_codes_are_refused(typed):
    assert codes.normalise(typed) is None


def test_the_example_in_the_forms_hint_is_a_valid_code():
    """A verifier who types the example in to see what happens must not be told it is mistyped."""
    import re

    from elearning.certificates.forms import CodeForm

    hint = str(CodeForm.code.kwargs["description"])
    (example,) = re.findall(r"RLS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", hint)
    assert codes.normalise(example) == example
