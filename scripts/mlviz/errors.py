"""The one exception type for bad input: its message is shown to the user as it is."""


class InputError(ValueError):
    """Bad input (file, column, config key or value). The message names what and what was expected."""
