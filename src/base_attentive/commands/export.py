"""`base-attentive export`: a run's network and preprocessing for serving.

Writes the export folder of `Forecaster.export` (see `base_attentive.export`)
for a run folder, by default inside it (`RUN/onnx`, `RUN/tf_saved_model`,
`RUN/torch`), where `base-attentive predict --model RUN` finds the ONNX
export. The run loads on the backend of this process (`--backend`), so a
format that Keras makes only on one backend is exported by choosing it.
"""

from __future__ import annotations

from pathlib import Path

from base_attentive.artifacts import ARTIFACTS, FORMATS
from base_attentive.commands.console import Console, add_output_arguments
from base_attentive.commands.runs import open_run
from base_attentive.commands.runtime import prepare_process


def configure_parser(parser):
    """Adds the options of `export`."""
    parser.add_argument(
        "--model",
        metavar="DIR",
        required=True,
        help="run folder written by `base-attentive train` (or a saved Forecaster)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="onnx",
        help="onnx (default; ONNX Runtime serves it without a deep-learning "
        "framework), tf_saved_model or torch (a PyTorch ExportedProgram, from "
        "the torch backend only)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="export folder to write (default: DIR/<format>)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an export folder that already holds files",
    )
    add_output_arguments(parser)


def run(args):
    """Runs `export`; returns the exit code."""
    console = Console(args.quiet, args.json, steps=2)
    prepare_process()
    from base_attentive.export import export_forecaster, read_manifest

    forecaster, settings, info = open_run(args.model)
    out = Path(args.out) if args.out else Path(args.model) / args.format
    console.step(
        f"exporting the run {args.model} (trained on {info.get('backend')}) as "
        f"{args.format}"
    )
    folder = export_forecaster(
        forecaster,
        out,
        args.format,
        overwrite=args.overwrite,
        extra={"settings": settings},
    )
    manifest = read_manifest(folder)
    artifact = manifest["artifact"]
    check = artifact["check"]
    checked = (
        f"; matches the Keras model within {check['max_abs_difference']:.2g} "
        f"(batches of {', '.join(map(str, check['batch_sizes']))})"
        if check
        else ""
    )
    console.step(f"wrote {folder} ({artifact['route']}{checked})")
    console.finish(
        {"export": str(folder), **artifact},
        [
            f"Export: {folder / ARTIFACTS[args.format]} with dataset.json, "
            "export.json (input layout, scalers, calendar)",
        ]
        + (
            [f"Forecast with it: base-attentive predict --model {args.model}"]
            if args.format == "onnx"
            else []
        ),
    )
    return 0
