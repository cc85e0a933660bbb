"""Configuration and inference, at parse time: the schema and its defaults, the config resolved
against the data (task, classes, each column's treatment, the models), the figure selections and
the checks between sections. Light: the Snakefile imports it before any job runs.
"""
