"""What can go wrong sending a message, as named errors carrying their policy."""

from __future__ import annotations


class SendError(Exception):
    """A message could not be handed to the platform."""

    retryable = False


class SendFailed(SendError):
    """The platform or the network failed; `retryable` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool, status: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class NotSent(SendFailed):
    """The request never left (no connection, or a failure before the call): sending again cannot send it twice."""

    def __init__(self, message: str):
        super().__init__(message, retryable=True)


class MaybeSent(SendFailed):
    """The request may have reached the platform but no answer came back: whether it went out is unknown.

    Never sent again by itself (messages go out at most once): an operator checks the platform's log.
    """

    def __init__(self, message: str):
        super().__init__(message, retryable=False)


class Throttled(SendError):
    """The platform asks us to slow down (HTTP 429); try again after `retry_after` seconds."""

    retryable = True

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class ContactOptedOut(SendError):
    """The person blocked us or unsubscribed at the platform: never send to them again."""


class ChannelNotConfigured(SendError):
    """The channel's credentials are missing from the environment."""
