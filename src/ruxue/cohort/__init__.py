"""The cohort (``spec/cohort.md``): category with cut-offs, seat lock, rank, lottery and the run.

Pure functions on plain records of this package; no I/O, no clock (dates are parameters).
"""
