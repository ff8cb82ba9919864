"""The one base of every error a user can act on: its message is Swedish and shown as it is."""


class UserError(Exception):
    """A problem the user can fix (bad input, a conflict, a missing record); never a traceback."""
