"""The Python API a notebook uses: load, simulate, replicate, compare, run a study, Erlang figures.

Like the command line, it is a thin shell over the library: each function
here calls the same code as a ``carebench`` command and gives the same
numbers for the same seed. The names are re-exported lazily by the
top-level :mod:`carebench` package.
"""
