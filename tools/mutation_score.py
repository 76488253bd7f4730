"""Mutation score per module from `mutmut results --all true` (used by `make mutate`).

Score = (killed + timeout) / (killed + timeout + survived + no tests): a timeout is a detected
mutant (as Stryker counts it), a mutant no test runs counts as surviving. Prints one line per
module and the total; lists the survivors.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

LINE = re.compile(r"^\s*(?P<name>convlib\.[\w.]+?)\.x\S*?__mutmut_\d+: (?P<status>.+)$")
ALIVE = {"survived", "no tests", "suspicious"}


def main(path: str) -> None:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    survivors = []
    for line in Path(path).read_text().splitlines():
        match = LINE.match(line)
        if not match:
            continue
        module, status = match["name"], match["status"].strip()
        counts[module][status] += 1
        if status in ALIVE:
            survivors.append(line.strip())
    total: collections.Counter = collections.Counter()
    for module in sorted(counts):
        total.update(counts[module])
        print(_score_line(module, counts[module]))
    print(_score_line("total", total))
    print(f"\n{len(survivors)} mutants not killed (mutmut show <name> prints one):")
    print("\n".join(survivors))


def _score_line(name: str, counter: collections.Counter) -> str:
    killed = counter["killed"] + counter["timeout"]
    alive = sum(counter[s] for s in ALIVE)
    tested = killed + alive
    score = killed / tested if tested else 0.0
    return f"{name:22s} killed {killed:5d} of {tested:5d}  score {score:6.1%}  {dict(counter)}"


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "mutants/results.txt")
