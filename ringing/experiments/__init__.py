"""The papers' studies and figures, one module per study, built from simulate + theory + runs
(DESIGN.md layout)."""
