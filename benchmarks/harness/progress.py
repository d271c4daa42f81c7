"""Progress of a zoo run: a tqdm bar on a terminal when tqdm is importable, else one line per model with
elapsed and ETA.
Either way each finished model gets a line with its statuses, so a log of the run reads on its own."""

from __future__ import annotations

import sys
import time


def fmt_duration(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    def __init__(self, total, stream=sys.stderr):
        self.total, self.done_count, self.stream = total, 0, stream
        self.start = time.monotonic()
        self.bar = None
        # A bar only on a terminal: redrawn into a log file or a pipe it is carriage-return noise.
        if getattr(stream, "isatty", lambda: False)():
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="model", file=stream, dynamic_ncols=True)
            except ImportError:
                pass

    def begin(self, name):
        if self.bar is not None:
            self.bar.set_postfix_str(name)

    def finish(self, name, summary, wall_s):
        self.done_count += 1
        elapsed = time.monotonic() - self.start
        # ETA from the mean time per model so far: models differ a lot, but the zoo order mixes them.
        eta = elapsed / self.done_count * (self.total - self.done_count)
        line = (f"[{self.done_count}/{self.total}] {name}: {summary} ({wall_s:.1f}s) "
                f"elapsed {fmt_duration(elapsed)}, ETA {fmt_duration(eta)}")
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
            self.bar.update(1)
        else:
            print(line, file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
