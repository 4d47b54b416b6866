"""Building blocks of bench/bench_matching.py, which keeps the CLI and the
order of the steps (that order is also the order of the output lines):

  common     output helpers (JSON lines on stdout, progress on stderr), load average
  queries    the data set (generated CSV + held-out names) and the query sets
  databases  creating, inspecting and dropping the benchmark databases
  measure    timing the import, the lookups and the rapidfuzz full scan
  report     percentiles, summary records, machine/code fingerprint, markdown table
"""
