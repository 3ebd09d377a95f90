"""Errors a user can act on. Their message is shown as is; anything else is a bug."""


class UserError(Exception):
    """An error whose message tells the user what to do."""


class IndexMissingError(UserError):
    pass


class IndexIncompatibleError(UserError):
    """The index was built with another model or format, or its files are damaged."""


class BadQuestionError(UserError):
    pass
