"""Exact and numeric theory (sympy, mpmath, numpy, scipy).  Never imports torch."""
