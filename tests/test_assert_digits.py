"""The suite's one digits-agreement assertion (the ``assert_digits`` fixture of tests/conftest.py)."""
import mpmath
import pytest
import sympy as sp


def test_passes_within_the_relative_bound(assert_digits):
    with mpmath.workdps(50):
        pi = mpmath.pi
        assert_digits(pi, pi, 45)  # a tie passes whatever the digits
        assert_digits(pi * (1 + mpmath.mpf(10) ** -31), pi, 30)  # relative 1e-31 < 1e-30
        assert_digits(sp.pi, pi, 45)  # sympy values are evaluated with guard digits, not rounded to the caller's


def test_fails_beyond_it_and_names_both_values(assert_digits):
    with mpmath.workdps(50):
        pi = mpmath.pi
        with pytest.raises(AssertionError, match=r"E W1: 3\.14159.* and reference 3\.14159.* agree to 29 digits, 30 "
                                                 r"required"):
            assert_digits(pi * (1 + 3 * mpmath.mpf(10) ** -30), pi, 30, "E W1")


def test_is_relative_to_the_reference_not_absolute(assert_digits):
    """A small reference gets a relative tolerance: 1e-5 and 1e-5 + 1e-12 agree to 7 digits, not 10 (an absolute
    10^-10 bound, as max(1, |b|) gave, would have let them pass)."""
    a, b = mpmath.mpf("1e-5") + mpmath.mpf("1e-12"), mpmath.mpf("1e-5")
    assert_digits(a, b, 7)
    with pytest.raises(AssertionError):
        assert_digits(a, b, 10)
    with pytest.raises(AssertionError):
        assert_digits(1e-9, 0, 3)  # only an exact tie agrees with a zero reference
