"""Run a seeded random sample of mutants per module (used by `make mutate`).

``python tools/mutation_sample.py --per-module N --seed S`` generates every mutant of the modules
``[tool.mutmut] only_mutate`` lists (mutmut 3's own generation, into ``mutants/``), draws ``N`` of
each module's mutants with ``random.Random(S)`` (all of a module's mutants if it has fewer), and
runs exactly those with ``mutmut run <names>``. ``--per-module 0`` runs every mutant. The sample
is printed (module, mutants generated, mutants drawn) and written to ``mutants/sample.txt``, so a
score can say what it was measured on; ``tools/mutation_score.py`` then scores what ran.
``--resume`` runs again only the sampled mutants not killed yet (after a test was added, or an
interrupted run), reusing ``mutants/``.

The engine's worker threads are kept off (``OPENBLAS_NUM_THREADS=1``, so convlib's thread
budget is 1): mutmut forks each mutant's run from a process that has run convlib, and a forked
child must not wait on threads and locks of its parent.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import subprocess
import sys
from pathlib import Path


def generate() -> dict[str, list[str]]:
    """Generate every mutant (as ``mutmut run`` does first); their names grouped by module."""
    from mutmut.__main__ import (
        copy_also_copy_files,
        copy_src_dir,
        create_mutants,
        setup_source_paths,
        store_lines_covered_by_tests,
    )
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.trampoline import set_mutant_under_test
    from mutmut.utils.file_utils import walk_mutatable_files

    set_mutant_under_test("mutant_generation")
    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    store_lines_covered_by_tests()
    create_mutants(2)
    names: dict[str, list[str]] = collections.defaultdict(list)
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        module = ".".join(Path(path).with_suffix("").parts)
        names[module] += sorted(data.exit_code_by_key)
    return dict(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-module", type=int, default=40, help="mutants per module (0: all)")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--resume", action="store_true", help="rerun the sample's survivors")
    args = parser.parse_args()
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    mutmut = Path(sys.executable).with_name("mutmut")
    sample = Path("mutants/sample.txt")
    if args.resume:
        results = subprocess.run(
            [str(mutmut), "results", "--all", "true"], capture_output=True, text=True, env=env
        ).stdout
        done = {
            line.split(":")[0].strip()
            for line in results.splitlines()
            if line.strip().endswith(": killed")
        }
        chosen = [name for name in sample.read_text().split() if name not in done]
        print(f"resuming: {len(chosen)} sampled mutants not killed yet", flush=True)
        command = [str(mutmut), "run", "--max-children", str(args.max_children), *chosen]
        subprocess.run(command, check=False, env=env)
        return
    rng = random.Random(args.seed)
    chosen = []
    for module, names in sorted(generate().items()):
        if not names:
            continue
        size = len(names) if args.per_module <= 0 else min(args.per_module, len(names))
        drawn = rng.sample(names, size)
        print(f"{module:36s} {len(names):5d} mutants generated, {len(drawn):4d} drawn")
        chosen += sorted(drawn)
    print(f"sample: {len(chosen)} mutants, seed {args.seed}", flush=True)
    sample.write_text("\n".join(chosen) + "\n")
    command = [str(mutmut), "run", "--max-children", str(args.max_children), *chosen]
    subprocess.run(command, check=False, env=env)


if __name__ == "__main__":
    main()
