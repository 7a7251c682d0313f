"""Export a checkpoint (TorchScript, ONNX, C header) without playing it: :mod:`distill_lab.cli.export` (``--help``)."""

from distill_lab.cli.export import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
