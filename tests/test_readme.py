"""Every Python block of the README runs as written, in order (compare
keras-hub's docstring tests). One fresh process per backend run: the blocks
share one namespace, as in a session where a reader pastes them one after
another."""

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)

RUNNER = """
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
namespace = {"__name__": "__main__"}
blocks = list(re.finditer(sys.argv[2], text, re.DOTALL | re.MULTILINE))
for match in blocks:
    # Pad with newlines so that tracebacks give the README's line numbers.
    code = "\\n" * text[: match.start(1)].count("\\n") + match.group(1)
    exec(compile(code, path, "exec"), namespace)
print(f"README blocks run: {len(blocks)}")
"""


def test_readme_python_blocks_run_in_order(tmp_path):
    blocks = BLOCK.findall(README.read_text(encoding="utf-8"))
    assert blocks, "the README has no ```python block (fence renamed?)"
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg")
    # One PyTorch thread, as the CLI runs it: the suite's workers share the
    # cores, and threads fighting over them make this test several times
    # slower.
    env.setdefault("OMP_NUM_THREADS", "1")
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(README), BLOCK.pattern],
        cwd=tmp_path,  # files the blocks write (model.keras) land here
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"README blocks run: {len(blocks)}" in result.stdout
