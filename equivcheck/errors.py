"""Errors shared by every stage.

An :class:`InputError` is the user's input being wrong or unusable; the CLI prints it as
one line and exits with status 3. Anything else escaping to the CLI is our bug.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input: names the input (``subject``) and says what to do (``hint``)."""

    def __init__(self, subject: str, problem: str, hint: str = "") -> None:
        self.subject = subject
        self.problem = problem
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as the CLI prints it: ``SUBJECT: PROBLEM; HINT``."""
        text = f"{self.subject}: {self.problem}"
        return f"{text}; {self.hint}" if self.hint else text


class UnsupportedConstruct(InputError):
    """Code the parser or IR builder cannot handle: names the construct and location."""

    def __init__(self, construct: str, location: str, detail: str = "", hint: str = "") -> None:
        self.construct = construct
        self.location = location
        problem = f"unsupported construct {construct}" + (f" ({detail})" if detail else "")
        super().__init__(location, problem, hint or "report it with this line")
