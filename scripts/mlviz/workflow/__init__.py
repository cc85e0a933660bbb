"""Run plumbing shared by every layer: where each file of a run lives (layout), reading and
writing files byte-reproducibly (io), what every rule script shares (jobs), provenance, the code
inputs of each rule (modules) and the warm worker. Imports nothing else of mlviz but its errors.
"""
