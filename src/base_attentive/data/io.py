"""Reading a long table from a file: CSV (optionally compressed), TSV or
Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["read_table"]


def read_table(path, argument="path"):
    """Reads a long table from a CSV (optionally compressed) or Parquet file.

    Args:
        path: file path; `.csv`, `.csv.gz`, `.tsv`, `.txt` or `.parquet` /
            `.pq`.
        argument: the name given to the path in error messages (the CLI
            passes its option, `--data`).

    Returns:
        `pandas.DataFrame`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{argument} {path}: no such file")
    suffixes = [suffix.lower() for suffix in path.suffixes]
    try:
        if suffixes and suffixes[-1] in (".parquet", ".pq"):
            try:
                return pd.read_parquet(path)
            except ImportError as error:
                raise ImportError(
                    f"{argument} {path}: reading Parquet needs pyarrow (`pip install "
                    'pyarrow`, or `pip install "base-attentive[all]"`).'
                ) from error
        if any(suffix in (".csv", ".tsv", ".txt") for suffix in suffixes):
            separator = "\t" if ".tsv" in suffixes else ","
            return pd.read_csv(path, sep=separator)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise ValueError(f"{argument} {path}: cannot read the table: {e}") from e
    except (OSError, ValueError) as error:  # pyarrow: not a Parquet file
        raise ValueError(
            f"{argument} {path}: cannot read the table: {error}"
        ) from error
    raise ValueError(
        f"{argument} {path}: expected a .csv (.csv.gz, .tsv) or .parquet file. "
        f"Received: {''.join(path.suffixes) or 'no extension'!r}"
    )
