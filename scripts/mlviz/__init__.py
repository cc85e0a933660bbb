"""mlviz: the importable code shared by the workflow's scripts.

Modules import their heavy dependencies (sklearn, shap, tensorflow) lazily or only where needed,
so that the Snakefile can import the light ones at parse time.
"""
