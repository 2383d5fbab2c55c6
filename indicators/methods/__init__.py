"""The computational core of the indicator engine: pure functions, looked up by name.

Every method here takes pandas/numpy data and returns pandas/numpy data; nothing reads files
or talks to the store, so each method can be tested on a handful of hand-checked numbers and
reused by the composite runner, the dashboard and the benchmarks alike. Methods live in small
registries (``NORMALISERS``, ``WEIGHTINGS``, ``AGGREGATORS``, ``TRANSFORMS`` ...): a new method
is one function plus one registry line.
"""
