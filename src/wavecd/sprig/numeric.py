"""Sprig's math and number conversions (numeric.go and the arithmetic entries of functions.go).

Integer math converts every operand with cast.ToInt64 and returns a Go int64 (`Int64`), wrapping on
overflow; division by zero is Go's runtime panic. The `...f` functions go through shopspring/decimal:
each float64 becomes its shortest decimal, the operation is exact (division rounds half away from zero
to 16 places) and the result is parsed back to the nearest float64, which is why `addf 0.1 0.2` is 0.3.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gofmt import format_value
from wavecd.gotemplate.gotypes import GoIntList, Int64
from wavecd.sprig.cast import parse_int, to_float64, to_int64
from wavecd.sprig.goval import wrap64

_DIVIDE_BY_ZERO = "runtime error: integer divide by zero"
_DIVISION_QUANTUM = Decimal("1e-16")


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise GoFuncError(_DIVIDE_BY_ZERO)
    q = abs(a) // abs(b)
    return wrap64(q if (a < 0) == (b < 0) else -q)


def _go_mod(a: int, b: int) -> int:
    if b == 0:
        raise GoFuncError(_DIVIDE_BY_ZERO)
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def add(*args: Any) -> Int64:
    total = 0
    for v in args:
        total += to_int64(v)
    return Int64(wrap64(total))


def mul(a: Any, *rest: Any) -> Int64:
    product = to_int64(a)
    for v in rest:
        product = wrap64(product * to_int64(v))
    return Int64(product)


def biggest(a: Any, *rest: Any) -> Int64:
    return Int64(max([to_int64(a), *(to_int64(v) for v in rest)]))


def smallest(a: Any, *rest: Any) -> Int64:
    return Int64(min([to_int64(a), *(to_int64(v) for v in rest)]))


def go_max(x: float, y: float) -> float:
    """math.Max: +Inf wins, then NaN, and +0 beats -0."""
    if (math.isinf(x) and x > 0) or (math.isinf(y) and y > 0):
        return math.inf
    if x != x or y != y:
        return math.nan
    if x == 0 and y == 0:
        return x if math.copysign(1, x) > 0 else y
    return x if x > y else y


def go_min(x: float, y: float) -> float:
    """math.Min: -Inf wins, then NaN, and -0 beats +0."""
    if (math.isinf(x) and x < 0) or (math.isinf(y) and y < 0):
        return -math.inf
    if x != x or y != y:
        return math.nan
    if x == 0 and y == 0:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


def maxf(a: Any, *rest: Any) -> float:
    result = to_float64(a)
    for v in rest:
        result = go_max(result, to_float64(v))
    return result


def minf(a: Any, *rest: Any) -> float:
    result = to_float64(a)
    for v in rest:
        result = go_min(result, to_float64(v))
    return result


def _to_decimal(v: Any) -> Decimal:
    f = to_float64(v)
    if math.isinf(f) or f != f:
        raise GoFuncError(f"Cannot create a Decimal from {format_value(f)}")
    return Decimal(repr(f)) if f else Decimal(0)


def _decimal_div(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise GoFuncError("decimal division by 0")
    return (a / b).quantize(_DIVISION_QUANTUM, rounding=ROUND_HALF_UP)


def _decimal_op(op: Callable[[Decimal, Decimal], Decimal]) -> Callable[..., float]:
    def run(a: Any, *rest: Any) -> float:
        with localcontext() as ctx:
            ctx.prec = 2000
            ctx.Emax = 999_999
            ctx.Emin = -999_999
            acc = _to_decimal(a)
            for v in rest:
                acc = op(acc, _to_decimal(v))
            return float(acc) or 0.0

    return run


_addf = _decimal_op(lambda x, y: x + y)


def addf(*args: Any) -> float:
    return _addf(0.0, *args)


def go_ceil(v: float) -> float:
    """math.Ceil: infinities and NaN unchanged, and a zero result keeps the sign of v."""
    if math.isinf(v) or v != v:
        return v
    return float(math.ceil(v)) or math.copysign(0.0, v)


def go_floor(v: float) -> float:
    """math.Floor, with Go's signed zeros and non-finite values."""
    if math.isinf(v) or v != v:
        return v
    return float(math.floor(v)) or math.copysign(0.0, v)


def go_round(a: Any, places: int, *round_on: float) -> float:
    threshold = round_on[0] if round_on else 0.5
    pow10 = 10.0 ** float(places)
    digit = pow10 * to_float64(a)
    frac = math.modf(digit)[0] if not math.isinf(digit) else 0.0
    rounded = go_ceil(digit) if frac >= threshold else go_floor(digit)
    return rounded / pow10


def until_step(start: int, stop: int, step: int) -> GoIntList:
    if stop < start:
        return GoIntList(range(start, stop, step)) if step < 0 else GoIntList()
    return GoIntList(range(start, stop, step)) if step > 0 else GoIntList()


def until(count: int) -> GoIntList:
    return until_step(0, count, -1 if count < 0 else 1)


def seq(*params: int) -> str:
    if len(params) == 1:
        start, end, step = 1, params[0], 1
        if end < start:
            step = -1
    elif len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
    elif len(params) == 3:
        start, step, end = params
        if end < start and step > 0:
            return ""
        return " ".join(map(str, until_step(start, end + (-1 if end < start else 1), step)))
    else:
        return ""
    return " ".join(map(str, until_step(start, end + step, step)))


def to_decimal(v: Any) -> Int64:
    value, ok = parse_int(format_value(v), 8)
    return Int64(value if ok else 0)


def rand_int(low: int, high: int) -> int:
    if high - low <= 0:
        raise GoFuncError("invalid argument to Intn")
    import random  # its import is a cost every render would pay for a function few call

    return random.randrange(high - low) + low


FUNCS = [
    GoFunc("atoi", lambda s: parse_int(s, 10)[0], ("string",)),
    GoFunc("int64", lambda v: Int64(to_int64(v)), ("interface {}",)),
    GoFunc("int", to_int64, ("interface {}",)),
    GoFunc("float64", to_float64, ("interface {}",)),
    GoFunc("seq", seq, (), "int"),
    GoFunc("toDecimal", to_decimal, ("interface {}",)),
    GoFunc("until", until, ("int",)),
    GoFunc("untilStep", until_step, ("int", "int", "int")),
    GoFunc("add1", lambda v: Int64(wrap64(to_int64(v) + 1)), ("interface {}",)),
    GoFunc("add", add, (), "interface {}"),
    GoFunc("sub", lambda a, b: Int64(wrap64(to_int64(a) - to_int64(b))), ("interface {}", "interface {}")),
    GoFunc("div", lambda a, b: Int64(_go_div(to_int64(a), to_int64(b))), ("interface {}", "interface {}")),
    GoFunc("mod", lambda a, b: Int64(_go_mod(to_int64(a), to_int64(b))), ("interface {}", "interface {}")),
    GoFunc("mul", mul, ("interface {}",), "interface {}"),
    GoFunc("randInt", rand_int, ("int", "int")),
    GoFunc("add1f", lambda v: _addf(v, 1.0), ("interface {}",)),
    GoFunc("addf", addf, (), "interface {}"),
    GoFunc("subf", _decimal_op(lambda x, y: x - y), ("interface {}",), "interface {}"),
    GoFunc("divf", _decimal_op(_decimal_div), ("interface {}",), "interface {}"),
    GoFunc("mulf", _decimal_op(lambda x, y: x * y), ("interface {}",), "interface {}"),
    GoFunc("biggest", biggest, ("interface {}",), "interface {}"),
    GoFunc("max", biggest, ("interface {}",), "interface {}"),
    GoFunc("min", smallest, ("interface {}",), "interface {}"),
    GoFunc("maxf", maxf, ("interface {}",), "interface {}"),
    GoFunc("minf", minf, ("interface {}",), "interface {}"),
    GoFunc("ceil", lambda v: go_ceil(to_float64(v)), ("interface {}",)),
    GoFunc("floor", lambda v: go_floor(to_float64(v)), ("interface {}",)),
    GoFunc("round", go_round, ("interface {}", "int"), "float64"),
]
