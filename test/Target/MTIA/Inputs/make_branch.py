"""Writes a model with a data-dependent branch (ONNX If, from torch.jit.script)
to argv[1], with two inputs that take its two branches and PyTorch's outputs
for them: branch.onnx, x_then.npy, x_else.npy, ref_then.npy, ref_else.npy."""
import os
import sys

import numpy as np
import torch


class Branch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.before = torch.nn.Linear(32, 32)
        self.then_path = torch.nn.Linear(32, 32)
        self.else_path = torch.nn.Linear(32, 16)
        self.else_out = torch.nn.Linear(16, 32)
        self.after = torch.nn.Linear(32, 8)

    def forward(self, x):
        h = torch.relu(self.before(x))
        if h.sum() > 20.0:
            y = torch.tanh(self.then_path(h))
        else:
            y = self.else_out(torch.relu(self.else_path(h)))
        return self.after(y + h)


def main(out):
    torch.manual_seed(0)
    model = Branch().eval()
    scripted = torch.jit.script(model)
    x = torch.randn(4, 32)
    torch.onnx.export(scripted, (x,), os.path.join(out, "branch.onnx"),
                      input_names=["x"], output_names=["y"], opset_version=13)
    inputs = {"then": x.abs() * 4.0, "else": x * 0.01}
    with torch.no_grad():
        for name, value in inputs.items():
            h = torch.relu(model.before(value))
            assert (h.sum() > 20.0) == (name == "then"), (name, float(h.sum()))
            np.save(os.path.join(out, f"x_{name}.npy"), value.numpy())
            np.save(os.path.join(out, f"ref_{name}.npy"), model(value).numpy())


if __name__ == "__main__":
    main(sys.argv[1])
