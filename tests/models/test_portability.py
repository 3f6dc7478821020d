"""A `.keras` file saved under one backend loads under the other two and
predicts the same numbers (each backend in its own fresh process), and its
``jit_compile="auto"`` is resolved by the loading backend."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
from keras import ops

from tests.models.test_base_attentive import make_inputs, small

BACKENDS = ("tensorflow", "torch", "jax")

LOAD_AND_PREDICT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import base_attentive  # decides the backend before Keras loads
    import keras
    inputs = list(np.load(sys.argv[1]).values())
    params, saved_jit, jit = {}, {}, {}
    for name in sys.argv[2:]:
        model = base_attentive.load_model(name + ".keras")
        np.save(name + ".out.npy", keras.ops.convert_to_numpy(model.predict_on_batch(inputs)))
        params[name] = int(model.count_params())
        saved_jit[name] = model.get_compile_config().get("jit_compile")
        jit[name] = bool(model.jit_compile)
    print(json.dumps({"backend": keras.backend.backend(), "params": params,
                      "saved_jit_compile": saved_jit, "jit_compile": jit}))
    """
)


def _installed(backend):
    import importlib.util

    return importlib.util.find_spec(backend) is not None


def test_saved_models_predict_the_same_on_every_backend(tmp_path, rng):
    here = keras.backend.backend()
    others = [b for b in BACKENDS if b != here and _installed(b)]
    assert others, "the portability test needs at least two installed backends"
    inputs = make_inputs(rng, batch=4, lookback=12, horizon=6)
    inputs[0][:, -1] = [0, 1, 3, 4]  # codes of a categorical static variable
    inputs_path = os.path.join(tmp_path, "inputs.npz")
    np.savez(inputs_path, static=inputs[0], dynamic=inputs[1], future=inputs[2])
    expected, params, saved_jit = {}, {}, {}
    for objective in ("hybrid", "transformer", "categorical"):
        if objective == "categorical":  # an embedding table per category
            model = small(forecast_horizon=6, static_cardinalities=[0, 0, 0, 5])
        else:
            model = small(objective=objective, scales=[1, 2], forecast_horizon=6)
        name = os.path.join(tmp_path, objective)
        if objective == "hybrid":  # compiled with the default jit_compile="auto"
            model.compile()
        saved_jit[name] = "auto" if objective == "hybrid" else None
        expected[name] = ops.convert_to_numpy(model.predict_on_batch(inputs))
        params[name] = model.count_params()
        model.save(name + ".keras")
    for backend in others:
        env = dict(os.environ, KERAS_BACKEND=backend, BASE_ATTENTIVE_BACKEND=backend)
        result = subprocess.run(
            [sys.executable, "-c", LOAD_AND_PREDICT, inputs_path, *expected],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        report = json.loads(result.stdout.strip().splitlines()[-1])
        jit = report.pop("jit_compile")
        assert report == {
            "backend": backend,
            "params": params,
            "saved_jit_compile": saved_jit,
        }
        if backend == "torch":  # "auto" means eager there, whoever saved it
            assert not any(jit.values()), jit
        for name, values in expected.items():
            np.testing.assert_allclose(
                np.load(name + ".out.npy"), values, rtol=1e-4, atol=1e-4
            )
