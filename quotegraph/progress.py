"""A progress bar with rate and ETA on a terminal (tqdm), and nothing at all elsewhere."""

from __future__ import annotations

import sys


class Progress:
    def __init__(self, enabled: bool, total: int | None, unit: str, desc: str, initial: int = 0):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True)

    def step(self, n: int = 1, **postfix) -> None:
        if self.bar is not None:
            self.bar.update(n)
            if postfix:
                self.bar.set_postfix(refresh=False, **postfix)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
