"""``python -m base_attentive`` runs the same CLI as ``base-attentive``."""

from base_attentive.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
