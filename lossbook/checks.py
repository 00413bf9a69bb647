"""Answer checks that exercise test cells call.

Every check either returns quietly after printing one line that says what
passed, or raises :class:`CheckFailed` (an ``AssertionError``) whose message
says what was checked, on which input, what was expected, what was received,
and gives a hint. Tolerances are tight enough that an answer off by a constant
factor or offset always fails.

Chapters use :func:`compare_gradients` to put a hand-derived gradient next to
autograd's in one printed line.
"""

import copy
import functools
from dataclasses import dataclass

import torch

from lossbook.reference import REDUCTIONS

# Relative/absolute tolerances per dtype: a few ulps of accumulated rounding,
# many orders of magnitude below any constant-factor mistake.
TOLERANCES = {
    torch.float32: dict(rtol=1e-5, atol=1e-6),
    torch.float64: dict(rtol=1e-10, atol=1e-12),
}
# A loss computed from inputs of magnitude M cannot be trusted below a few units of
# rounding of M (log-sum-exp minus the target's logit cancels): check_loss's
# absolute tolerance on a case is at least ROUNDING_ULPS * eps * max|input|.
ROUNDING_ULPS = 4
CRASH_HINT = "call your function yourself on a small input and read the traceback."
# The random part of the standard inputs below. Fixed, so that a learner's run
# of the checks is reproducible; the grader draws a fresh one for each
# submission (use_fresh_inputs), in the grading kernel, out of reach of the
# student's code, so no answer can be fitted to the inputs it will meet.
_CASE_SEED = 0


def use_fresh_inputs(seed: int) -> None:
    """Draw the random part of the standard inputs (``regression_cases``, ...) from ``seed``."""
    global _CASE_SEED
    _CASE_SEED = int(seed)


def _case_generator(stream: int) -> torch.Generator:
    return torch.Generator().manual_seed((stream + _CASE_SEED) % 2**63)


class CheckFailed(AssertionError):
    """A learner's answer did not pass a check; the message says why."""


@dataclass
class Case:
    """One named input to a check: positional tensors plus keyword arguments."""

    name: str
    inputs: tuple
    kwargs: dict
    argnames: tuple = ("y_hat", "y")

    def clone(self):
        return tuple(t.clone() if torch.is_tensor(t) else t for t in self.inputs)


DESCRIBED_LIMIT = 300  # characters of a value shown in a failure message


def fail(what: str, expected, received, on: str | None = None, hint: str | None = None):
    """Raise :class:`CheckFailed` with the book's message layout."""
    lines = [what]
    if on:
        lines.append(f"  on input: {on}")
    lines.append(f"  expected: {describe(expected)}")
    lines.append(f"  received: {describe(received)}")
    if hint:
        lines.append(f"  hint: {hint}")
    raise CheckFailed("\n".join(lines))


def describe(value) -> str:
    """A short, readable description of a value for a failure message."""
    if torch.is_tensor(value):
        head = f"tensor of shape {tuple(value.shape)}, dtype {str(value.dtype).removeprefix('torch.')}"
        if value.numel() == 0:
            return head + ", empty"
        flat = value.detach().flatten()
        shown = ", ".join(f"{v:.6g}" for v in flat[:6].tolist())
        more = ", ..." if flat.numel() > 6 else ""
        if value.dim() == 0:
            return f"{flat.item():.6g} ({head})"
        return f"[{shown}{more}] ({head})"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (str, bytes)) and len(value) > DESCRIBED_LIMIT:  # not the whole of a huge one
        return f"{value[:DESCRIBED_LIMIT]!r}... ({type(value).__name__} of length {len(value)})"
    text = repr(value)
    return text if len(text) <= DESCRIBED_LIMIT else f"{text[:DESCRIBED_LIMIT]}... ({len(text)} characters)"


def regression_cases(dtype: torch.dtype = torch.float64) -> list[Case]:
    """Ordinary and edge inputs ``(y_hat, y)`` for a regression loss.

    Covers residuals of both signs and many sizes, zero residuals, residuals
    exactly at ±1 (where Huber and Smooth L1 change branch at their defaults),
    huge residuals, a batch of one and a 2-D batch.
    """
    g = _case_generator(1234)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)

    y = randn(8)
    grid = torch.tensor([-4.0, -1.5, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5], dtype=dtype)
    y2 = randn(4, 3)
    y1 = randn(1)
    return [
        Case("ordinary residuals (8 random values)", (y + randn(8), y), {}),
        Case("residuals on a grid from -4 to 2.5, including 0 and ±1", (y - grid, y), {}),
        Case("zero residuals (y_hat == y)", (y.clone(), y), {}),
        Case("huge residuals (about ±1e3)", (y + 1e3 * randn(8), y), {}),
        Case("a 2-D batch of shape (4, 3)", (y2 + 2 * randn(4, 3), y2), {}),
        Case("a batch of one", (y1 + 3.0, y1), {}),
    ]


def binary_cases(dtype: torch.dtype = torch.float64) -> list[Case]:
    """Ordinary and edge inputs ``(logits, target)`` for a binary (or multi-label) classification loss.

    Targets are 0/1 floats. Covers logits of both signs, zero logits, huge
    logits (±100 and ±1000, where naive formulas overflow), a batch of one and
    a 2-D multi-label batch.
    """
    g = _case_generator(4321)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)

    def labels(*shape):
        return (torch.rand(*shape, generator=g) < 0.5).to(dtype)

    names = ("logits", "target")
    huge = torch.tensor([-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0], dtype=dtype)
    return [
        Case("ordinary logits (8 random values)", (3 * randn(8), labels(8)), {}, names),
        Case("zero logits", (torch.zeros(6, dtype=dtype), labels(6)), {}, names),
        Case("huge logits, confidently right", (huge, (huge > 0).to(dtype)), {}, names),
        Case("huge logits, confidently wrong", (huge, (huge < 0).to(dtype)), {}, names),
        Case("a 2-D multi-label batch of shape (4, 3)", (2 * randn(4, 3), labels(4, 3)), {}, names),
        Case("a batch of one", (randn(1), torch.ones(1, dtype=dtype)), {}, names),
    ]


def multiclass_cases(dtype: torch.dtype = torch.float64) -> list[Case]:
    """Ordinary and edge inputs ``(logits, target)`` for a multi-class loss; targets are class indices.

    Covers ordinary logits, huge logits (where a naive softmax overflows),
    equal logits, two classes, a batch of one and a batch in which every
    example has the same class.
    """
    g = _case_generator(2024)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)

    def classes(n, c):
        return torch.randint(0, c, (n,), generator=g)

    names = ("logits", "target")
    return [
        Case("ordinary logits, 8 examples, 5 classes", (2 * randn(8, 5), classes(8, 5)), {}, names),
        Case("huge logits (about ±1000)", (1000 * randn(6, 4), classes(6, 4)), {}, names),
        Case("equal logits", (torch.zeros(4, 3, dtype=dtype), classes(4, 3)), {}, names),
        Case("two classes", (randn(5, 2), classes(5, 2)), {}, names),
        Case("a batch of one", (randn(1, 3), torch.tensor([2])), {}, names),
        Case("every example of class 0", (randn(4, 3), torch.zeros(4, dtype=torch.long)), {}, names),
    ]


def call_each(fn, calls, grad_wrt: int | list | None = None) -> list:
    """``fn(*args, **kwargs)`` for every ``(args, kwargs)`` in ``calls``: the value, or the exception raised.

    With ``grad_wrt=k`` each entry is ``(value, differentiable, gradient)``,
    the gradient of the value's sum with respect to ``args[k]`` by autograd
    (``None`` if none reaches it); a list gives each call its own ``k`` (or
    ``None``: the value alone). A student's function being graded runs in a
    sandbox process; there, the whole list is one round trip instead of one
    per call.
    """
    batched = getattr(fn, "call_each", None)
    if batched is not None:
        return batched(calls, grad_wrt=grad_wrt)
    outcomes = []
    for (args, kwargs), wrt in zip(calls, per_call(grad_wrt, len(calls))):
        try:
            value = fn(*args, **kwargs)
            if wrt is not None:
                differentiable = torch.is_tensor(value) and value.requires_grad
                grad = None
                if differentiable:
                    # (of the sum: explicit output gradients would make autograd import SymPy, most of a second)
                    (grad,) = torch.autograd.grad(value.sum(), args[wrt], allow_unused=True)
                value = (value, differentiable, grad)
        except Exception as err:  # raised again where the check looks at this call
            value = err
        outcomes.append(value)
    return outcomes


def per_call(grad_wrt, count: int) -> list:
    """``call_each``'s ``grad_wrt`` as one entry per call."""
    return list(grad_wrt) if isinstance(grad_wrt, (list, tuple)) else [grad_wrt] * count


def _call_text(name, case: Case, **params) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in {**case.kwargs, **params}.items())
    return f"{name}({', '.join(case.argnames)}{', ' + args if args else ''})"


def _received(outcome, text: str, case: Case, inputs):
    """The value of one call made by :func:`call_each`, or the failure that call deserves."""
    if isinstance(outcome, NotImplementedError):
        raise outcome
    if isinstance(outcome, Exception):  # the learner's code crashed: say so, on which input
        raise CheckFailed(
            f"{text} raised {type(outcome).__name__}: {outcome}\n  on input: {case.name}\n  hint: {CRASH_HINT}"
        ) from None
    for original, passed in zip(case.inputs, inputs):
        if torch.is_tensor(original) and not torch.equal(original, passed):
            raise CheckFailed(
                f"{text} changed its input tensors in place\n  on input: {case.name}\n"
                "  hint: compute new tensors (r = y - y_hat) instead of modifying y_hat or y."
            )
    return outcome


def assert_tensor_close(received, expected, what: str, on: str | None = None, hint: str | None = None,
                        rtol: float | None = None, atol: float | None = None):
    """Check type, shape, dtype and values of ``received`` against ``expected``.

    Tolerances default to the book's per-dtype ``TOLERANCES``.
    """
    if not torch.is_tensor(received):
        fail(f"{what} should return a torch.Tensor", expected, received, on,
             "build the result from torch operations so autograd can follow it.")
    if received.shape != expected.shape:
        fail(f"{what} returned the wrong shape", expected, received, on,
             hint or "check the reduction: 'none' keeps the input's shape, 'mean' and 'sum' give a scalar.")
    if received.dtype != expected.dtype:
        fail(f"{what} returned the wrong dtype", expected, received, on,
             "keep the input's dtype: avoid Python floats that force float64, or .float() casts.")
    tol = dict(TOLERANCES.get(expected.dtype, TOLERANCES[torch.float32]))
    tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    close = torch.isclose(received.detach(), expected.detach(), equal_nan=True, **tol)
    if not bool(close.all()):
        index = tuple(torch.nonzero(~close)[0].tolist())
        first = (f"; first wrong element at index {list(index)}: expected "
                 f"{expected[index].item():.6g}, received {received[index].item():.6g}") if index else ""
        fail(f"{what} returned wrong values{first}", expected, received, on, hint)


def check_loss(fn, reference, *, name: str, cases=regression_cases, reductions=REDUCTIONS,
               dtypes=(torch.float32, torch.float64), hint: str | None = None, **params):
    """Compare a learner's loss ``fn(y_hat, y, reduction=..., **params)`` with ``reference``.

    Runs every case from ``cases(dtype)`` in every dtype and every reduction,
    checking shape, dtype and values; also checks that inputs are not modified,
    and then :func:`check_differentiable`. All the calls are made at once (for
    a sandboxed answer, one round trip).
    """
    planned = [(dtype, case, reduction) for dtype in dtypes for case in cases(dtype) for reduction in reductions]
    copies = {}  # one copy of each input for all its reductions (sent to a sandbox once)
    inputs = [copies.setdefault(id(case), case.clone()) for _, case, _ in planned]
    differentiable = _differentiable_calls(cases, 0, params)
    outcomes = call_each(fn, [(args, {**case.kwargs, "reduction": reduction, **params})
                              for args, (_, case, reduction) in zip(inputs, planned)] + differentiable.calls,
                         grad_wrt=[None] * len(planned) + [0] * len(differentiable.calls))
    expected_by_case, expected = {}, []  # one copy of the inputs and one rounding tolerance per case
    for (dtype, case, reduction) in planned:
        if id(case) not in expected_by_case:
            expected_by_case[id(case)] = (case.clone(), _rounding_atol(case, dtype))
        reference_inputs, atol = expected_by_case[id(case)]
        expected.append((reference(*reference_inputs, **case.kwargs, reduction=reduction, **params), atol))
    if not _all_close_and_untouched(planned, inputs, outcomes, expected):  # find the first failure, and say it
        for (dtype, case, reduction), args, outcome, (want, atol) in zip(planned, inputs, outcomes, expected):
            text = _call_text(name, case, reduction=reduction, **params)
            out = _received(outcome, text, case, args)
            on = f"{case.name}, {str(dtype).removeprefix('torch.')}"
            assert_tensor_close(out, want, text, on, hint, atol=atol)
    _check_differentiable_outcomes(differentiable, outcomes[len(planned):], reference, name, 0, hint, params)
    count, argnames = len(planned), planned[-1][1].argnames if planned else ("y_hat", "y")
    shown = "".join(f", {k}={v!r}" for k, v in params.items())
    print(f"✓ {name}({', '.join(argnames)}{shown}) matches the reference on {count} combinations of input, reduction and dtype,"
          " and its gradient agrees with autograd through the reference.")


def _all_close_and_untouched(planned, inputs, outcomes, expected) -> bool:
    """Whether every call returned a tensor of the expected shape and dtype, close to the expected value
    (as :func:`assert_tensor_close` judges), without modifying its inputs: one comparison per dtype and
    tolerance instead of one per call. If not, the caller looks at the calls one by one."""
    groups, untouched = {}, set()
    for (_, case, _), args, outcome, (want, atol) in zip(planned, inputs, outcomes, expected):
        if not (torch.is_tensor(outcome) and torch.is_tensor(want) and outcome.shape == want.shape
                and outcome.dtype == want.dtype and want.dtype in TOLERANCES):
            return False
        if id(args) not in untouched:  # the calls of one case share their inputs: each checked once
            if not all(torch.equal(original, passed) for original, passed in zip(case.inputs, args)
                       if torch.is_tensor(original)):
                return False
            untouched.add(id(args))
        groups.setdefault((want.dtype, atol), []).append((outcome.detach().reshape(-1), want.detach().reshape(-1)))
    for (dtype, atol), pairs in groups.items():
        received, wanted = torch.cat([r for r, _ in pairs]), torch.cat([w for _, w in pairs])
        if not bool(torch.isclose(received, wanted, equal_nan=True, rtol=TOLERANCES[dtype]["rtol"], atol=atol).all()):
            return False
    return True


def _rounding_atol(case: Case, dtype: torch.dtype) -> float:
    """The dtype's absolute tolerance, or the rounding of the case's largest input if that is more."""
    scale = max((t.detach().abs().max().item() for t in case.inputs
                 if torch.is_tensor(t) and t.is_floating_point() and t.numel()), default=0.0)
    default = TOLERANCES.get(dtype, TOLERANCES[torch.float32])["atol"]
    return max(default, ROUNDING_ULPS * torch.finfo(dtype).eps * scale) if dtype.is_floating_point else default


def check_differentiable(fn, reference, *, name: str, cases=regression_cases, wrt: int = 0,
                         hint: str | None = None, **params):
    """Check that gradients flow through a learner's loss, as through ``reference``.

    A loss that returns a detached tensor (``.detach()``, ``.item()``, NumPy,
    ``torch.no_grad()``) has the right values and trains nothing. On every
    case (float64, ``reduction="sum"``) the gradient with respect to
    ``inputs[wrt]`` must exist and be finite wherever the reference's is; on
    the first (ordinary) case it must equal the reference's gradient.
    """
    differentiable = _differentiable_calls(cases, wrt, params)
    outcomes = call_each(fn, differentiable.calls, grad_wrt=wrt)
    _check_differentiable_outcomes(differentiable, outcomes, reference, name, wrt, hint, params)


@dataclass
class _DifferentiableCalls:
    cases: list  # the float64 cases
    inputs: list  # each call's inputs, inputs[wrt] requiring grad
    calls: list  # (args, kwargs) for call_each


def _differentiable_calls(cases, wrt: int, params: dict) -> _DifferentiableCalls:
    planned, inputs = cases(torch.float64), []
    for case in planned:
        copy_ = list(case.clone())
        copy_[wrt] = copy_[wrt].detach().requires_grad_(True)
        inputs.append(copy_)
    return _DifferentiableCalls(planned, inputs, [(args, {**case.kwargs, "reduction": "sum", **params})
                                                  for args, case in zip(inputs, planned)])


def _check_differentiable_outcomes(calls: _DifferentiableCalls, outcomes, reference, name: str, wrt: int,
                                   hint: str | None, params: dict) -> None:
    expected = []
    for case in calls.cases:
        ref_inputs = list(case.clone())
        ref_inputs[wrt] = ref_inputs[wrt].detach().requires_grad_(True)
        ref_out = reference(*ref_inputs, **case.kwargs, reduction="sum", **params)
        expected.append(torch.autograd.grad(ref_out, ref_inputs[wrt])[0])
    if _gradients_all_fine(calls, outcomes, expected):
        return
    for index, (case, inputs, outcome, want) in enumerate(zip(calls.cases, calls.inputs, outcomes, expected)):
        text = _call_text(name, case, reduction="sum", **params)
        out, differentiable, received = _received(outcome, text, case, inputs)
        on = f"{case.name}, float64"
        if not (torch.is_tensor(out) and differentiable):
            fail(f"{text} returned a tensor that autograd cannot differentiate", "a tensor with requires_grad=True",
                 out, on, "build the loss from torch operations on the inputs: no .detach(), .item(), "
                 "NumPy or torch.no_grad(), or no gradient reaches the model.")
        if received is None:
            fail(f"{text}: no gradient reaches {case.argnames[wrt]}", want, received, on,
                 f"the result must depend on {case.argnames[wrt]} through torch operations.")
        bad = torch.isfinite(want) & ~torch.isfinite(received)
        if bool(bad.any()):
            fail(f"{text} has a gradient that is not finite (autograd through your code)", want, received, on,
                 hint or "a branch that overflows poisons the gradient even when torch.where discards its value.")
        if index == 0:
            assert_tensor_close(received, want, f"{text}: its gradient (by autograd)", on,
                                hint or "the values are right but the gradient is not: part of the loss is "
                                "detached (.detach(), .item(), .data, NumPy) or a constant was added in its place.")


def _gradients_all_fine(calls: _DifferentiableCalls, outcomes, expected) -> bool:
    """Whether every call returned a differentiable tensor without modifying its inputs, with a gradient
    finite wherever the reference's is and, on the first case, close to it (as the checks one by one in
    :func:`_check_differentiable_outcomes` judge), in a few tensor operations for all the cases."""
    for case, inputs, outcome, want in zip(calls.cases, calls.inputs, outcomes, expected):
        if not (isinstance(outcome, tuple) and len(outcome) == 3 and torch.is_tensor(outcome[0])
                and outcome[1] is True and torch.is_tensor(outcome[2]) and outcome[2].shape == want.shape):
            return False
        if not all(torch.equal(original, passed) for original, passed in zip(case.inputs, inputs)
                   if torch.is_tensor(original)):
            return False
    if not expected:
        return True
    wanted = torch.cat([w.detach().reshape(-1) for w in expected])
    received = torch.cat([o[2].detach().reshape(-1).to(wanted.dtype) for o in outcomes[:len(expected)]])
    if bool((torch.isfinite(wanted) & ~torch.isfinite(received)).any()):
        return False
    first, want = outcomes[0][2], expected[0]
    return (first.dtype == want.dtype and want.dtype in TOLERANCES
            and bool(torch.isclose(first.detach(), want.detach(), equal_nan=True, **TOLERANCES[want.dtype]).all()))


def check_gradient(grad_fn, loss_fn, *, name: str, cases=regression_cases, wrt: int = 0,
                   dtypes=(torch.float64,), hint: str | None = None, **params):
    """Compare a hand-derived gradient with autograd.

    ``grad_fn(*inputs, **params)`` must return the gradient of
    ``loss_fn(*inputs, reduction="sum", **params)`` with respect to
    ``inputs[wrt]``, i.e. the derivative of each element's loss with respect
    to that element.
    """
    planned = [(dtype, case) for dtype in dtypes for case in cases(dtype)]
    given = [case.clone() for _, case in planned]
    outcomes = call_each(grad_fn, [(args, {**case.kwargs, **params}) for args, (_, case) in zip(given, planned)])
    for (dtype, case), args, outcome in zip(planned, given, outcomes):
        inputs = list(case.clone())
        inputs[wrt] = inputs[wrt].detach().requires_grad_(True)
        loss_fn(*inputs, **case.kwargs, reduction="sum", **params).backward()
        expected = inputs[wrt].grad
        text = _call_text(name, case, **params)
        out = _received(outcome, text, case, args)
        on = f"{case.name}, {str(dtype).removeprefix('torch.')}"
        assert_tensor_close(out, expected, f"{text} (compared with autograd)", on, hint)
    count, argnames = len(planned), planned[-1][1].argnames if planned else ("y_hat", "y")
    shown = "".join(f", {k}={v!r}" for k, v in params.items())
    print(f"✓ {name}({', '.join(argnames)}{shown}) agrees with autograd on {count} inputs.")


# Results of computed_once functions. The module outlives the namespace of a grading kernel, which is
# reset between the submissions it grades, so they are kept for the whole batch.
_COMPUTED: dict = {}


def computed_once(function):
    """Compute a test's reference answer once for all the submissions a grading kernel grades.

    A grading kernel runs the key's test cells again for every submission; an
    expensive reference that depends only on the test's own data (an exact
    minimiser, a brute-force search) then costs its time once per batch, not
    once per student. The decorated function must be pure: the result is found
    again by its code and the values of its arguments, defaults and closure
    (tensors, numbers, strings, None and tuples or lists of them). It may read the set-up's
    names, which are the same for every submission; never a student's answer.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        closure = tuple(cell.cell_contents for cell in function.__closure__ or ())
        key = (_code_key(function.__code__), _value_key((args, sorted(kwargs.items()), closure,
                                                         function.__defaults__, function.__kwdefaults__)))
        if key not in _COMPUTED:
            _COMPUTED[key] = function(*args, **kwargs)
        return copy.deepcopy(_COMPUTED[key])

    return wrapper


def _code_key(code) -> tuple:
    """A function's code, independent of the cell (file name, line) it was defined in."""
    return (code.co_name, code.co_code, code.co_names, code.co_varnames,
            tuple(_code_key(c) if hasattr(c, "co_code") else _value_key(c) for c in code.co_consts))


def _value_key(value):
    if torch.is_tensor(value):
        value = value.detach()
        return ("tensor", str(value.dtype), tuple(value.shape), value.contiguous().numpy().tobytes())
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list, frozenset)):
        return (type(value).__name__, tuple(_value_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _value_key(v)) for k, v in sorted(value.items())))
    raise TypeError(f"computed_once: cannot recognise an argument of type {type(value).__name__} again; "
                    "pass tensors, numbers, strings or tuples of them")


def call(fn, *args, what: str, hint: str = CRASH_HINT, **kwargs):
    """Call a learner's function; turn a crash into :class:`CheckFailed` naming the call.

    ``NotImplementedError`` (an unanswered stub) passes through unchanged.
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:
        raise CheckFailed(f"{what} raised {type(err).__name__}: {err}\n  hint: {hint}") from None


def value_and_grad(fn, *args, wrt: int = 0, what: str, **kwargs):
    """Call a learner's ``fn`` and differentiate its (scalar) result with respect to ``args[wrt]``.

    Returns ``(value, gradient)``, both detached. Fails with :class:`CheckFailed`
    when the result is not a tensor autograd can follow (e.g. a Python float).
    """
    args = list(args)
    args[wrt] = args[wrt].detach().clone().requires_grad_(True)
    out = call(fn, *args, what=what, **kwargs)
    if not (torch.is_tensor(out) and out.requires_grad and out.numel() == 1):
        raise CheckFailed(f"{what} must return a one-element tensor that autograd can differentiate\n"
                          f"  received: {describe(out)}\n"
                          "  hint: build the result from torch operations on the inputs; no .item(), float() or .detach().")
    (grad,) = torch.autograd.grad(out, args[wrt])
    return out.detach(), grad


def check_value(received, expected, what: str, *, rtol: float = 1e-6, atol: float = 1e-9,
                hint: str | None = None):
    """Check a number (or a tensor with one element) against the expected number."""
    if torch.is_tensor(received):
        if received.numel() != 1:
            fail(f"{what} should be a single number", expected, received, hint=hint)
        received = received.item()
    if not isinstance(received, (int, float)) or isinstance(received, bool):
        fail(f"{what} should be a number", expected, received, hint=hint)
    expected = float(expected)
    if not abs(received - expected) <= atol + rtol * abs(expected):
        fail(f"{what} is wrong", expected, float(received), hint=hint)
    print(f"✓ {what} = {received:.6g}")


def check_shape_dtype(value, shape: tuple, dtype: torch.dtype, what: str, hint: str | None = None):
    """Check that ``value`` is a tensor with the given shape and dtype."""
    if not torch.is_tensor(value):
        fail(f"{what} should be a torch.Tensor", f"a tensor of shape {shape}", value, hint=hint)
    if tuple(value.shape) != tuple(shape) or value.dtype != dtype:
        fail(f"{what} has the wrong shape or dtype",
             f"shape {tuple(shape)}, dtype {str(dtype).removeprefix('torch.')}",
             f"shape {tuple(value.shape)}, dtype {str(value.dtype).removeprefix('torch.')}", hint=hint)


def numerical_gradient(f, x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Central finite differences of a scalar function ``f`` at ``x`` (computed in float64)."""
    x = x.detach().to(torch.float64)
    grad = torch.zeros_like(x)
    flat = grad.view(-1)
    for i in range(x.numel()):
        step = torch.zeros_like(x).view(-1)
        step[i] = eps
        step = step.view_as(x)
        flat[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def compare_gradients(name: str, manual: torch.Tensor, automatic: torch.Tensor,
                      rtol: float | None = None, atol: float | None = None) -> bool:
    """Print whether a hand-derived gradient matches autograd's; return True if it does.

    The printed line gives exact equality, approximate equality (the book's
    tolerances for the dtype unless ``rtol``/``atol`` are given, e.g. looser
    ones for finite differences) and the largest absolute difference.
    """
    manual, automatic = manual.detach(), automatic.detach()
    exact = bool(torch.equal(manual, automatic))
    tol = dict(TOLERANCES.get(automatic.dtype, TOLERANCES[torch.float32]))
    tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    approx = manual.shape == automatic.shape and bool(torch.allclose(manual, automatic, **tol))
    diff = (manual - automatic).abs().max().item() if manual.shape == automatic.shape else float("nan")
    print(f"{name:<28} | exact: {exact!s:<5} | approximate: {approx!s:<5} | max diff: {diff:.1e}")
    return approx
