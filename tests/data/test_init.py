import subprocess
import sys


def test_importing_the_data_package_loads_no_framework():
    code = (
        "import sys, base_attentive.data\n"
        "loaded = {'keras', 'tensorflow', 'torch', 'jax'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
