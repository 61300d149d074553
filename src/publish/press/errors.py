"""Errors the print stage raises; each message says what is wrong and what to do."""


class PressError(ValueError):
    """The PDF cannot be finished for print as asked."""


class TransparencyError(PressError):
    """PDF/X-1a was asked for, but the document uses transparency that cannot be removed."""
