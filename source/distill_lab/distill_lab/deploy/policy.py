"""An exported policy run with onnxruntime alone: a batch of observation vectors in, actions out, the recurrent state
(``h_in``/``c_in`` -> ``h_out``/``c_out``) carried from call to call and reset per row, as a robot's controller
would."""

from __future__ import annotations

import numpy as np

from distill_lab.io import DistillLabError


class OnnxPolicy:
    """``policy(obs)`` -> actions for a batch of ``batch`` rows; ``reset(rows)`` zeroes those rows' memory."""

    def __init__(self, path: str, batch: int = 1, threads: int = 1):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = threads
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        inputs = self.session.get_inputs()
        self.obs_name = inputs[0].name
        """Name of the observation input."""
        self.obs_dim = int(inputs[0].shape[-1])
        """Size of one observation vector."""
        self.batch = batch
        """Rows per call."""
        self.state_names = [i.name for i in inputs[1:]]
        """Recurrent state inputs (``h_in``, ``c_in``), empty for a feed-forward policy."""
        self._state_shapes = {i.name: [d if isinstance(d, int) else batch for d in i.shape] for i in inputs[1:]}
        self._out_names = [o.name for o in self.session.get_outputs()]
        self.state = {}
        """The recurrent state fed at the next call."""
        self.reset()

    def reset(self, rows=None) -> None:
        """Zero the memory of ``rows`` (a boolean mask or indices; all rows when None)."""
        if rows is None:
            self.state = {name: np.zeros(shape, np.float32) for name, shape in self._state_shapes.items()}
            return
        for value in self.state.values():
            value[:, rows] = 0.0  # state tensors are (layers, batch, hidden)

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        """Actions for ``obs`` of shape (batch, obs_dim); the memory moves one step on."""
        obs = np.asarray(obs, np.float32).reshape(self.batch, -1)
        if obs.shape[1] != self.obs_dim:
            raise DistillLabError(f"expected observations of size {self.obs_dim} for the policy, found {obs.shape[1]}")
        outputs = self.session.run(None, {self.obs_name: obs, **self.state})
        for name, value in zip(self._out_names[1:], outputs[1:], strict=True):
            self.state[name.replace("_out", "_in")] = value
        return outputs[0]
