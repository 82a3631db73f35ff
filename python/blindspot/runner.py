"""Running an experiment with the blindspot command line and opening its archive.

``blindspot.run("exp.yaml", out="x.h5")`` runs ``blindspot run exp.yaml -o x.h5`` and
returns the opened :class:`blindspot.Archive`.  The executable is, in order: the
``executable`` argument, ``$BLINDSPOT``, ``blindspot`` on ``PATH``, and ``build/blindspot``
of the checkout this package runs from.  Exit codes become exceptions: 2 (bad input)
:class:`blindspot.BadInput`, 1 (a run failed) :class:`blindspot.RunFailed`, 130 and 143
(interrupted) :class:`blindspot.Interrupted`, each carrying the lines blindspot printed on
stderr; killed by SIGINT or SIGTERM is Interrupted too, by another signal (a crash)
RunFailed, saying which signal.
"""

import os
import re
import shutil
import signal
import subprocess

from .archive import Archive
from .data import repository_root
from .errors import BadInput, Error, Interrupted, RunFailed


def find_executable(executable=None):
    """The blindspot executable to run (see the module's docstring); raises
    :class:`blindspot.Error` when there is none."""
    if executable:
        candidates = [("executable=", os.fspath(executable))]
    else:
        candidates = []
        if os.environ.get("BLINDSPOT"):
            candidates.append(("$BLINDSPOT", os.environ["BLINDSPOT"]))
        on_path = shutil.which("blindspot")
        if on_path:
            candidates.append(("PATH", on_path))
        root = repository_root()
        if root:
            candidates.append(("the checkout", os.path.join(root, "build", "blindspot")))
    for origin, path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
        if origin in ("executable=", "$BLINDSPOT"):
            raise Error("%s: no blindspot executable there (given by %s)" % (path, origin))
    raise Error("no blindspot executable: pass executable=, set BLINDSPOT, put blindspot on "
                "PATH, or build the checkout (scripts/build)")


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "signal %d" % number


def _problems(stderr):
    """The lines of blindspot's stderr that say what went wrong (all non-empty ones)."""
    return "\n".join(line.rstrip() for line in stderr.splitlines() if line.strip())


def _default_output(experiment, output, cwd):
    """Where blindspot wrote an archive run without -o: the path it printed, else
    ``NAME.h5`` with the experiment's name."""
    written = re.search(r"^archive written: (.*)$", output, re.MULTILINE)
    if written:
        return written.group(1)
    path = os.path.join(cwd or "", os.fspath(experiment))
    try:
        with open(path, encoding="utf-8") as handle:
            name = re.search(r"^experiment:\s*['\"]?([A-Za-z0-9_.-]+)", handle.read(), re.MULTILINE)
    except OSError:
        return None
    return name.group(1) + ".h5" if name else None


def run(experiment, out=None, threads=None, resume=False, executable=None, *, cwd=None,
        data_dir=None, plugin_path=(), echo=False, timeout=None):
    """Runs ``blindspot run EXPERIMENT -o OUT`` and returns the archive, opened.

    ``out``: the archive to write (default: blindspot's, ``NAME.h5`` in ``cwd``);
    ``threads``: ``--threads N``; ``resume``: ``--resume``; ``cwd``: the folder to run in
    (relative paths in the experiment and ``out`` are taken from it; default the current
    folder); ``data_dir``: ``--data-dir``; ``plugin_path``: folders for ``--plugin-path``;
    ``echo``: let blindspot's output through instead of capturing it; ``timeout``: seconds
    (``subprocess.TimeoutExpired`` after it).

    Raises :class:`blindspot.BadInput` (exit 2), :class:`blindspot.RunFailed` (exit 1,
    another failure, a crash), :class:`blindspot.Interrupted` (130, 143, SIGINT, SIGTERM)."""
    exe = find_executable(executable)
    command = [exe, "run", os.fspath(experiment)]
    if out is not None:
        command += ["-o", os.fspath(out)]
    if resume:
        command.append("--resume")
    if threads is not None:
        command += ["--threads", str(int(threads))]
    if data_dir is not None:
        command += ["--data-dir", os.fspath(data_dir)]
    if isinstance(plugin_path, (str, os.PathLike)):
        plugin_path = [plugin_path]
    for folder in plugin_path:
        command += ["--plugin-path", os.fspath(folder)]
    stdout = None if echo else subprocess.PIPE
    process = subprocess.run(command, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                             timeout=timeout, check=False, encoding="utf-8", errors="replace")
    output = process.stdout or ""
    stderr = process.stderr or ""
    if echo and stderr:
        import sys  # pylint: disable=import-outside-toplevel
        sys.stderr.write(stderr)
    code = process.returncode
    if code != 0:
        if code < 0:  # killed by a signal: a crash, or an interruption it could not catch
            name = _signal_name(-code)
            message = "blindspot run %s was killed by %s" % (experiment, name)
            if _problems(stderr):
                message = _problems(stderr) + "\n" + message
            kind = Interrupted if name in ("SIGINT", "SIGTERM") else RunFailed
            raise kind(message, code, output, stderr)
        message = _problems(stderr) or "blindspot run %s exited with %d" % (experiment, code)
        if code == 2:
            raise BadInput(message, code, output, stderr)
        if code in (130, 143):
            raise Interrupted(message, code, output, stderr)
        raise RunFailed(message, code, output, stderr)
    path = os.fspath(out) if out is not None else None
    if path is None:
        path = _default_output(experiment, output, cwd)
        if path is None:
            raise RunFailed("blindspot run %s did not say where it wrote the archive; pass out="
                            % experiment, code, output, stderr)
    if cwd is not None and not os.path.isabs(path):
        path = os.path.join(cwd, path)
    return Archive(path)
