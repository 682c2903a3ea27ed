"""The child process that renders an edition's PDFs, then its workbook, while the build goes on
(see `pipeline.publish.edition.rendering`).

    python -m pipeline.publish.pdf_process ARGUMENTS_FILE

ARGUMENTS_FILE holds the pickled arguments of `edition.render_slow_files`. The outcome, pickled, is
written to standard output: None when the files are written, else the exception (with the traceback
as a note). Everything else the renderer prints goes to standard error. A module of its own, started as
a fresh interpreter, so that the child never re-runs the parent's main script.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from pathlib import Path


def _die_with_parent(parent: int) -> None:
    """Linux: SIGKILL this process when the thread that started it ends, so that a killed build
    leaves no renderer writing into its staging folder; exits now if the parent is already gone."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        raise SystemExit(1)


def main(argv: list[str]) -> int:
    path, parent = Path(argv[0]), int(argv[1])
    _die_with_parent(parent)
    result = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not mix with the outcome
    try:
        from pipeline.publish.edition import render_slow_files

        arguments = pickle.loads(path.read_bytes())
        path.unlink(missing_ok=True)  # read: nothing is left behind even if both processes are killed now
        render_slow_files(*arguments)
        outcome: BaseException | None = None
    except BaseException as error:
        error.add_note("(in the PDF renderer process)\n" + traceback.format_exc())
        outcome = error
    try:
        payload = pickle.dumps(outcome)
    except Exception:  # an exception that does not pickle: its text still reaches the parent
        from pipeline.publish.edition import RenderError

        payload = pickle.dumps(
            RenderError(
                traceback.format_exception_only(outcome)[-1].strip()
                + "\n(in the PDF renderer process)\n"
                + "".join(getattr(outcome, "__notes__", []))
            )
        )
    result.write(payload)
    result.close()
    return 0 if outcome is None else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
