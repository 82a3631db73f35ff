"""The exceptions of the blindspot package.

Every exception this package raises on purpose derives from :class:`Error`, so
``except blindspot.Error`` catches them all.  Each message is one line saying
which file (or node, or port) and what is wrong, like the command line's.
"""


class Error(Exception):
    """Base class of every blindspot error."""


class ArchiveError(Error):
    """A file is missing, is not a blindspot archive, or is damaged.

    ``path`` is the file; the message names it."""

    def __init__(self, path, message):
        self.path = str(path)
        super().__init__("%s: %s" % (self.path, message))


class NewerFormat(ArchiveError):
    """The archive was written by a newer blindspot than this package knows."""

    def __init__(self, path, found, newest):
        self.found = found
        self.newest = newest
        super().__init__(
            path,
            "written by a newer blindspot (archive format %d; this package reads formats 1 "
            "to %d); update the blindspot Python package" % (found, newest))


class NoSuchNode(Error, KeyError):
    """``archive[name]`` for a node the archive does not hold."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class PortError(Error, LookupError):
    """A node has no port of the kind asked for, several (pass ``port=``), or the named
    port is of another kind."""


class CommandFailed(Error):
    """The command line exited with an error.

    ``message`` is what it printed on stderr (one line per problem, usually one), ``lines``
    the same as a list, ``returncode`` its exit code, ``stderr`` and ``stdout`` the full
    output."""

    def __init__(self, message, returncode, stdout="", stderr=""):
        self.message = message
        self.lines = [line for line in message.splitlines() if line]
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(message)


class BadInput(CommandFailed):
    """``blindspot run`` exited with 2: bad input (the experiment, its data or a plugin)."""

    def __init__(self, message, returncode=2, stdout="", stderr=""):
        super().__init__(message, returncode, stdout, stderr)


class RunFailed(CommandFailed):
    """``blindspot run`` failed (exit 1: a full disk, a node out of memory; or another
    non-zero exit)."""

    def __init__(self, message, returncode=1, stdout="", stderr=""):
        super().__init__(message, returncode, stdout, stderr)


class Interrupted(RunFailed):
    """``blindspot run`` was interrupted (exit 130 for SIGINT, 143 for SIGTERM); the
    partial archive keeps every finished node (``resume=True`` continues it)."""
