"""What every part of the sweep runner shares: its one-line error, checks of text that becomes a
command-line word or a path, atomic writes, number and duration formats, and the test of whether a
point's report is complete."""
import errno
import json
import math
import os
import tempfile

MAX_MESSAGE = 1000        # characters of an error message


def one_line(text):
    """text with line breaks and other unprintable characters escaped (\\n, \\x00, \\ud800),
    shortened to MAX_MESSAGE characters."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE - 40] + " [...] " + text[-33:]
    return text


class SweepError(Exception):
    """A problem with the sweep file or the command line: one line, exit status 2."""

    def __init__(self, message):
        super().__init__(one_line(str(message)))


def os_text_ok(text):
    """Whether text can be a command-line word or a path: no NUL, encodable by the OS."""
    if "\x00" in text:
        return False
    try:
        os.fsencode(text)
    except UnicodeError:
        return False
    return True


def check_os_text(where, text):
    if not os_text_ok(text):
        raise SweepError(f"{where}: {text!r} cannot be a command-line word or a path "
                         f"(a NUL character, or characters the system cannot encode)")


def write_atomically(path, text):
    """Write text (UTF-8) to path via a new temporary file in the same folder, fsync and rename; an
    existing path that is not a regular file is refused, and on any error (a full disk) the temporary
    file is removed and the old file kept.  Raises OSError naming the path."""
    if os.path.lexists(path) and not os.path.isfile(path):
        raise OSError(errno.EEXIST, "exists and is not a regular file (refusing to replace it)", path)
    target = os.path.realpath(path)  # a symbolic link keeps pointing to the new file
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(target) + ".tmp.", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def dumps(obj):
    return json.dumps(obj, indent=2, sort_keys=False) + "\n"


def fmt_scalar(v):
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else str(v)
    return str(v)


def fmt_duration(s):
    if s is None or not math.isfinite(s):
        return "?"
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def read_report(path, seed=None):
    """The report at path if it is complete (valid JSON with a test accuracy), else None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            r = json.load(f)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(r, dict):
        return None
    acc = r.get("test_accuracy")
    if isinstance(acc, bool) or not isinstance(acc, (int, float)):
        return None
    if seed is not None and r.get("seed", seed) != seed:
        return None
    return r
