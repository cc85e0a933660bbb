"""Raw tables at the door: reading a CSV (encoding, delimiter, header), summarising it column by
column for the inference, and the embedded demo generators. Imports nothing else of mlviz but
its errors.
"""
