"""The forecasting commands of the CLI: ``train``, ``predict``, ``evaluate``.

Each command module has ``configure_parser(parser)`` and ``run(args)``
(registered in ``base_attentive.cli.COMMANDS``). Shared pieces, one concern
per module:

- ``settings``: the options of a run (one table drives argparse, the config
  file and the bundled-data preset), their parsing and defaults.
- ``tables``: reading the user's CSV / Parquet file or the bundled data,
  and turning settings into a ``DatasetSpec``.
- ``baseline``: the seasonal-naive baseline with empirical quantiles.
- ``scoring``: test metrics of the model and the baseline.
- ``calibrate``: conformal recalibration of the intervals on validation.
- ``run_folder``: the output folder (paths, saving and loading a run).
- ``console``: progress lines, tables, ``--quiet`` / ``--json``.
- ``report``: ``report.md`` and the PNG plots of a run.
- ``values``: parsers of option values; ``training``: Keras callbacks and
  the epoch sampler (imports Keras).

None of these import Keras at module level; Keras is imported inside the
commands' ``run`` functions, after ``--backend`` has been applied.
"""
