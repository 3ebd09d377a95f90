"""Errors a user can act on. Their message is shown as is; anything else is a bug."""


class UserError(Exception):
    """An error whose message tells the user what to do."""


class IndexMissingError(UserError):
    pass


class IndexIncompatibleError(UserError):
    """The index was built with another model or format, or its files are damaged."""


class IndexDamagedError(IndexIncompatibleError):
    """The index's database cannot be read as one: truncated, emptied, overwritten, zeroed pages."""


class IndexReadOnlyError(UserError):
    """This account may read the index but not change it (feedback, ingest)."""


class DiskFullError(UserError):
    """The disk holding the index has no room for the write asked for."""


class BadQuestionError(UserError):
    pass


class BadFilterError(BadQuestionError):
    """An outlet the archive does not hold, or dates that cannot bound publication."""
