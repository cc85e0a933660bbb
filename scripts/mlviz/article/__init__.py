"""The article: which figure plays which part (plan), the claims read from the run's tables, the
facts and blocks the prose of report/ uses, and rendering with Quarto. Reads compute's tables;
never draws.
"""
