"""Parsing and shape checks of BaseAttentive's ``[static, dynamic, future]``."""

INPUT_KEYS = ("static", "dynamic", "future")


def _parts(inputs):
    if isinstance(inputs, dict):
        unknown = sorted(set(inputs) - set(INPUT_KEYS))
        if unknown:
            raise ValueError(
                f"Input dict has unknown keys {unknown}; expected keys among "
                f"{list(INPUT_KEYS)}."
            )
        return [inputs.get(key) for key in INPUT_KEYS]
    if isinstance(inputs, (list, tuple)):
        if len(inputs) != 3:
            raise ValueError(
                "Inputs must be [static, dynamic, future] (None for an absent "
                f"part). Received a sequence of length {len(inputs)}."
            )
        return list(inputs)
    raise TypeError(
        "Inputs must be a list [static, dynamic, future] or a dict with keys "
        f"{list(INPUT_KEYS)}. Received: {type(inputs).__name__}"
    )


def _shape(part):
    return None if part is None else tuple(part.shape)


def _expected(name, dims):
    body = ", ".join(f"{k}={v}" if v is not None else k for k, v in dims)
    return f"Input `{name}` must have shape ({body})"


def _check(name, shape, dims):
    """Raises unless ``shape`` matches ``dims`` (``(label, size or None)``)."""
    ok = len(shape) == len(dims) and all(
        want is None or got is None or got == want
        for got, (_, want) in zip(shape, dims, strict=False)
    )
    if not ok:
        raise ValueError(f"{_expected(name, dims)}. Received shape {shape}.")


def validate_input_shapes(shapes, model):
    """Checks the three shapes against the dims ``model`` declares.

    Zero-width static or future parts count as absent when the model has no
    such input. Returns the shapes with absent parts as None.
    """
    static, dynamic, future = shapes
    for name, dim_key in (
        ("static", "static_input_dim"),
        ("future", "future_input_dim"),
    ):
        shape = static if name == "static" else future
        if getattr(model, dim_key) == 0 and shape is not None:
            if shape[-1] not in (0, None):
                raise ValueError(
                    f"Input `{name}` was given with {shape[-1]} features, but the "
                    f"model was built with {dim_key}=0. Received shape {shape}."
                )
            shape = None
        if getattr(model, dim_key) > 0 and shape is None:
            raise ValueError(
                f"Input `{name}` is missing: the model was built with "
                f"{dim_key}={getattr(model, dim_key)}. Pass it, or build the model with "
                f"{dim_key}=0."
            )
        if name == "static":
            static = shape
        else:
            future = shape
    if dynamic is None:
        raise ValueError("Input `dynamic` is required (batch, lookback, features).")
    _check(
        "dynamic",
        dynamic,
        [
            ("batch", None),
            ("lookback", None),
            ("dynamic_input_dim", model.dynamic_input_dim),
        ],
    )
    if static is not None:
        _check(
            "static",
            static,
            [("batch", dynamic[0]), ("static_input_dim", model.static_input_dim)],
        )
    if future is not None:
        horizon = model.forecast_horizon
        if model.mode == "tft":
            steps = None if dynamic[1] is None else dynamic[1] + horizon
            label = "lookback + forecast_horizon"
        else:
            steps, label = horizon, "forecast_horizon"
        _check(
            "future",
            future,
            [
                ("batch", dynamic[0]),
                (label, steps),
                ("future_input_dim", model.future_input_dim),
            ],
        )
    return static, dynamic, future


def split_inputs(inputs, model):
    """Returns ``(static, dynamic, future)`` tensors, absent parts as None."""
    parts = _parts(inputs)
    shapes = validate_input_shapes([_shape(part) for part in parts], model)
    return tuple(
        None if shape is None else part
        for part, shape in zip(parts, shapes, strict=True)
    )


def split_input_shapes(input_shape, model):
    """Same as `split_inputs`, for the shapes Keras passes to ``build``."""
    parts = _parts(input_shape)
    shapes = [None if shape is None else tuple(shape) for shape in parts]
    return validate_input_shapes(shapes, model)
