"""What the commands print: progress lines, tables, `--quiet` and `--json`.

Three modes:
- default: a numbered line per step on stdout, Keras' progress bar during
  training (`verbose=1` on a terminal, one line per epoch otherwise), then
  the metrics table and a summary with the output paths;
- `--quiet`: nothing on success (errors still go to stderr);
- `--json`: only one JSON document on stdout at the end (no progress).
"""

from __future__ import annotations

import json
import sys
import time

from base_attentive.run_folder import json_ready


class Console:
    """Prints a command's progress and result according to its mode.

    Args:
        quiet: print nothing on success.
        as_json: print only the final JSON document.
        steps: number of numbered steps (for the `[i/n]` prefix).
    """

    def __init__(self, quiet=False, as_json=False, steps=0):
        self.quiet = bool(quiet)
        self.as_json = bool(as_json)
        self.steps = steps
        self._step = 0
        self._started = time.perf_counter()

    @property
    def chatty(self):
        """Whether progress lines are printed."""
        return not (self.quiet or self.as_json)

    def step(self, text):
        """Prints the next numbered step line."""
        self._step += 1
        self.say(f"[{self._step}/{self.steps}] {text}")

    def say(self, text=""):
        """Prints a line in the default mode."""
        if self.chatty:
            print(text, flush=True)

    def detail(self, text):
        """Prints an indented detail line under the current step."""
        self.say(f"      {text}")

    def progress(self, kind, text):
        """Receives `Forecaster.fit`'s steps: "step" or "detail" lines."""
        if kind == "step":
            self.step(text)
        else:
            self.detail(text)

    def elapsed(self):
        """Seconds since the console was created."""
        return time.perf_counter() - self._started

    def fit_verbose(self):
        """The `verbose` argument of `model.fit` / `model.predict`."""
        if not self.chatty:
            return 0
        return 1 if sys.stdout.isatty() else 2

    def finish(self, payload, lines):
        """Prints the result: `payload` as JSON, or the summary `lines`."""
        if self.as_json:
            print(json.dumps(json_ready(payload), indent=2, default=str))
        elif not self.quiet:
            for line in lines:
                print(line)


def add_output_arguments(parser):
    """`--quiet` / `--json` (shared by train, predict and evaluate)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quiet", action="store_true", help="print nothing on success")
    group.add_argument(
        "--json", action="store_true", help="print only a JSON summary (no progress)"
    )
