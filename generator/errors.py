"""The few exceptions the generator raises; the CLI turns each into one line."""


class DigestError(Exception):
    """Base class: anything that stops a build, with a message fit for one line."""


class ConfigError(DigestError):
    """A setting or a taxonomy file is not what it should be."""


class InputError(DigestError):
    """The seeds folder or the templates cannot be read at all."""


class BuildError(DigestError):
    """A stage could not produce its output (for example, a page path clash)."""
