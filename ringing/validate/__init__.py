"""Claims, the results store, sweeps and the comparison report."""
