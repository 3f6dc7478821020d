"""Entry point of the ``base-attentive`` console script.

It lives outside the ``base_attentive`` package on purpose: importing the
package decides the Keras backend and raises a ``ValueError`` for an invalid
``BASE_ATTENTIVE_BACKEND`` or ``KERAS_BACKEND``, before any code of the
package's CLI could catch it. Here that error becomes one ``error: ...`` line
and exit code 2, as for every other user error of the CLI (``--debug``
shows the traceback instead).
"""

import sys

EXIT_USER_ERROR = 2  # as base_attentive.cli.EXIT_USER_ERROR


def main(argv=None):
    """Imports the package's CLI and runs it; returns the exit code.

    Args:
        argv: list of str or None, the arguments after the program name;
            default None reads ``sys.argv[1:]``.

    Returns:
        int: the exit code of `base_attentive.cli.main`, or 2 when importing
        the package fails on an invalid backend environment variable.
    """
    try:
        from base_attentive.cli import main as cli_main
    except ValueError as err:
        args = sys.argv[1:] if argv is None else argv
        if "--debug" in args:
            raise
        message = " ".join(str(err).split()) or type(err).__name__
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR
    return cli_main(argv)
