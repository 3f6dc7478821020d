"""The forecasting commands of the CLI: ``train``, ``tune``, ``predict``,
``evaluate``, ``export``.

A thin shell over `base_attentive.Forecaster`: each command module has
``configure_parser(parser)`` and ``run(args)`` (registered in
``base_attentive.cli.COMMANDS``); it parses, calls the Forecaster, prints
and writes reports. Shared pieces, one concern per module:

- ``settings``: the options of a run (one table drives argparse, the config
  file and the bundled-data preset), their parsing and defaults (the
  model's and the recipe's come from `base_attentive.training`).
- ``tables``: reading the user's file or the bundled data, filtered by the
  settings, and the settings as `Forecaster` arguments.
- ``runs``: opening a saved run (or its ONNX export) for ``predict``,
  ``evaluate`` and ``export``.
- ``scoring``: the printed, Markdown and JSON forms of a metrics table.
- ``console``: progress lines, tables, ``--quiet`` / ``--json``.
- ``report``: ``report.md`` and the PNG plots of a run.
- ``distribution``: devices and processes of a data-parallel run.
- ``values``: parsers of option values; ``runtime``: process set-up.

None of these import Keras at module level; Keras is imported inside the
commands' ``run`` functions, after ``--backend`` has been applied.
"""
