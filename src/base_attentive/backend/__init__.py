"""The backend layer: which Keras 3 backend runs, why, and what it can do.

Importing this package imports neither Keras nor any framework. The modules:

- ``names``: valid names and aliases (:func:`normalize_backend_name`);
- ``versions``: ``MIN_VERSIONS``, :func:`version_at_least`,
  :func:`get_backend_version`;
- ``detection``: installed frameworks, from package metadata only;
- ``environment``: process state (the user's ``KERAS_BACKEND``, the
  ``set_backend`` request) and the probe of the backend Keras runs;
- ``resolution``: the resolution order, :func:`set_backend`,
  :func:`get_backend`, conflicts with a running Keras;
- ``devices``: the only module importing a framework (to list devices);
- ``capabilities``: :func:`get_backend_capabilities`;
- ``multi_host``: the settings of a multi-process run
  (:func:`~base_attentive.backend.multi_host.resolve_multi_host`);
- ``install``: :func:`ensure_default_backend`;
- ``report``: the ``base-attentive info`` report.
"""

from base_attentive.backend.capabilities import get_backend_capabilities
from base_attentive.backend.detection import (
    check_jax_compatibility,
    check_tensorflow_compatibility,
    check_torch_compatibility,
    detect_available_backends,
    get_available_backends,
    select_best_backend,
)
from base_attentive.backend.install import ensure_default_backend
from base_attentive.backend.names import VALID_BACKENDS, normalize_backend_name
from base_attentive.backend.resolution import (
    BackendConflictError,
    check_keras_backend,
    get_backend,
    resolve_backend,
    set_backend,
)
from base_attentive.backend.versions import (
    MIN_VERSIONS,
    get_backend_version,
    version_at_least,
)

__all__ = [
    "MIN_VERSIONS",
    "VALID_BACKENDS",
    "BackendConflictError",
    "check_jax_compatibility",
    "check_keras_backend",
    "check_tensorflow_compatibility",
    "check_torch_compatibility",
    "detect_available_backends",
    "ensure_default_backend",
    "get_available_backends",
    "get_backend",
    "get_backend_capabilities",
    "get_backend_version",
    "normalize_backend_name",
    "resolve_backend",
    "select_best_backend",
    "set_backend",
    "version_at_least",
]
