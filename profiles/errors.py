"""Named errors raised by the profile statistics."""


class ProfileError(ValueError):
    """Base class: the inputs cannot give a meaningful statistic."""


class InvalidInput(ProfileError):
    """An argument has the wrong shape, sign or range."""

    def __init__(self, argument: str, message: str):
        self.argument = argument
        super().__init__(f"{argument}: {message}")


class RakingError(ProfileError):
    """The targets cannot be reached with these respondents."""

    def __init__(self, variable: str, value: str | None, message: str):
        self.variable = variable
        self.value = value
        where = variable if value is None else f"{variable}={value}"
        super().__init__(f"{where}: {message}")


class ConvergenceError(ProfileError):
    """A numerical series or search did not converge within its iteration budget."""
