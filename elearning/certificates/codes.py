"""Certificate codes like RLS-7KQ2-M9XD-4Y: random, easy to read aloud, with a check character.

Format: the prefix ``RLS``, nine random symbols and one check symbol, grouped 4-4-2:
``RLS-D1D2D3D4-D5D6D7D8-D9C``. Symbols come from Crockford's base32 alphabet, which has no I, L, O or U,
so nothing is ambiguous when read aloud or typed; on input O counts as 0 and I or L as 1, as Crockford
specifies. Nine random symbols are 45 bits: about 3.5e13 codes, drawn with `secrets`.

The check symbol C is the weighted sum of the data symbols in GF(32), the field with 32 elements
(polynomial x^5 + x^2 + 1, alpha = x): C = sum(alpha^(i+1) * D_i) for i = 0..8, with addition XOR.
Read as "sum of alpha^k * symbol_k over all ten symbols = 0", every position has its own non-zero weight
alpha^0..alpha^9, all different, so:
- every single wrong symbol is caught (the sum changes by weight * difference, never 0 in a field);
- every swap of two different symbols, adjacent or not, is caught (it changes the sum by
  (weight_a - weight_b) * (symbol_a - symbol_b), a product of two non-zero field elements).
This module has no Flask import.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
PREFIX = "RLS"
DATA_LENGTH = 9
CODE_PATTERN = re.compile(r"^RLS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$")

_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")
_POLYNOMIAL = 0b100101  # x^5 + x^2 + 1, primitive: alpha = x has order 31
_MAX_INPUT = 64


def _gf_multiply(a: int, b: int) -> int:
    """Multiply two elements of GF(32)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _POLYNOMIAL
    return product


def _weights(count: int) -> list[int]:
    weights, power = [], 1
    for _ in range(count):
        power = _gf_multiply(power, 2)
        weights.append(power)
    return weights


_WEIGHTS = _weights(DATA_LENGTH)  # alpha^1 .. alpha^9


def check_symbol(data: str) -> str:
    """Return the check symbol of nine data symbols."""
    if len(data) != DATA_LENGTH:
        raise ValueError(f"a code has {DATA_LENGTH} data symbols, not {len(data)}")
    total = 0
    for weight, symbol in zip(_WEIGHTS, data, strict=True):
        total ^= _gf_multiply(weight, _VALUES[symbol])
    return ALPHABET[total]


def format_code(data: str) -> str:
    """Return the printed form of nine data symbols with their check symbol."""
    body = data + check_symbol(data)
    return f"{PREFIX}-{body[0:4]}-{body[4:8]}-{body[8:10]}"


def new_code() -> str:
    """Return a new random code."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH)))


def normalise(text: str | None) -> str | None:
    """Return the printed form of a code as typed (any case, with or without dashes, spaces or prefix).

    Return None when it is not a well-formed code or its check symbol does not match (a typo).
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    body = _SEPARATORS.sub("", text).upper()
    if len(body) == len(PREFIX) + DATA_LENGTH + 1 and body.startswith(PREFIX):
        body = body[len(PREFIX):]
    body = body.translate(_READ_AS)
    if len(body) != DATA_LENGTH + 1 or any(symbol not in _VALUES for symbol in body):
        return None
    data, check = body[:DATA_LENGTH], body[DATA_LENGTH]
    return format_code(data) if check_symbol(data) == check else None
