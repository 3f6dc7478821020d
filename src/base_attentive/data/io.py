"""Reading a long table from a file: CSV (optionally compressed), TSV or
Parquet."""

from __future__ import annotations

import zlib
from pathlib import Path

import pandas as pd

__all__ = ["read_table"]


def read_table(path, argument="path", text_columns=()):
    """Reads a long table from a CSV (optionally compressed) or Parquet file.

    What is refused, with an error naming the file: a path that is no file
    (missing, or a folder), a truncated or corrupt compressed file, a header
    repeating a column name (pandas would silently rename the second `y` to
    `y.1`), and a file with no rows.

    Args:
        path: file path; `.csv`, `.csv.gz`, `.tsv`, `.txt` or `.parquet` /
            `.pq`.
        argument: the name given to the path in error messages (the CLI
            passes its option, `--data`).
        text_columns: CSV columns read as text, not numbers (a series id
            column: `01`, `1` and `001` stay three series).

    Returns:
        `pandas.DataFrame`.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{argument} {path}: is a folder; expected a table file")
    if not path.is_file():
        raise FileNotFoundError(f"{argument} {path}: no such file")
    suffixes = [suffix.lower() for suffix in path.suffixes]
    parquet = bool(suffixes) and suffixes[-1] in (".parquet", ".pq")
    if not parquet and not any(s in (".csv", ".tsv", ".txt") for s in suffixes):
        raise ValueError(
            f"{argument} {path}: expected a .csv (.csv.gz, .tsv) or .parquet "
            f"file. Received: {''.join(path.suffixes) or 'no extension'!r}"
        )
    header = None
    try:
        if parquet:
            try:
                frame = pd.read_parquet(path)
            except ImportError as error:
                raise ImportError(
                    f"{argument} {path}: reading Parquet needs pyarrow (`pip install "
                    'pyarrow`, or `pip install "base-attentive[all]"`).'
                ) from error
        else:
            separator = "\t" if ".tsv" in suffixes else ","
            first = pd.read_csv(path, sep=separator, header=None, nrows=1, dtype=str)
            header = first.iloc[0].tolist() if len(first) else []
            text = {column: str for column in text_columns if column is not None}
            frame = pd.read_csv(path, sep=separator, dtype=text or None)
    except (EOFError, zlib.error) as error:
        raise ValueError(
            f"{argument} {path}: the compressed file is truncated or corrupt ({error})"
        ) from error
    except (OSError, ValueError) as error:  # parser, encoding; gzip; pyarrow
        raise ValueError(
            f"{argument} {path}: cannot read the table: {error}"
        ) from error
    repeated = sorted({str(name) for name in header or () if header.count(name) > 1})
    if repeated:
        raise ValueError(
            f"{argument} {path}: the header names column(s) {repeated} more than "
            "once; each column needs its own name."
        )
    if frame.empty:
        raise ValueError(
            f"{argument} {path}: the table has no rows (columns: {list(frame.columns)})"
        )
    return frame
