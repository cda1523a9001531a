"""The kit's own exception: every problem a user can cause is raised as this, with what to do."""
from __future__ import annotations


class MMKitError(Exception):
    """A problem with the user's input or set-up, with a message that says what to do about it."""
