"""The share of mutants killed in the last `mutmut run` (`make mutate`), and whether it meets the aim.

Reads mutants/mutmut-cicd-stats.json, which `mutmut export-cicd-stats` writes. A mutant a test
noticed (killed) or that hung (timeout) counts as caught; one that survived, that no test ran, or
whose result is suspicious does not. Exits 1 below the aim.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

AIM = 0.85


def main(path: str = "mutants/mutmut-cicd-stats.json") -> int:
    stats = json.loads(Path(path).read_text())
    tried = stats["total"] - stats["skipped"]
    caught = stats["killed"] + stats["timeout"]
    share = caught / tried if tried else 0.0
    print(f"Mutants caught: {caught} of {tried} ({share:.1%}; aim {AIM:.0%}). Survived {stats['survived']}, "
          f"no test {stats['no_tests']}, suspicious {stats['suspicious']}. `mutmut results` lists the survivors.")
    return 0 if share >= AIM else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
