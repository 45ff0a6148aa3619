"""Writes the control-flow suite models (test/models/control_models.py) as
ONNX to argv[1], with input sets that take different paths and PyTorch's
outputs for them:

- greedy_decoder.onnx, decoder_<k>.input0.npy, decoder_<k>.output{0,1}.npy
  for three initial states whose decodings stop after different numbers
  of steps (printed);
- gated_resnet.onnx, gated_<k>.input0.npy, gated_<k>.output0.npy for
  images whose gates run different blocks (printed)."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "models"))
import control_models  # noqa: E402


def decoder(out):
    torch.manual_seed(0)
    model, example = control_models.greedy_decoder()
    torch.onnx.export(model, example, os.path.join(out, "greedy_decoder.onnx"),
                      opset_version=17, input_names=["h"],
                      output_names=["tokens", "state"])
    steps = []
    for k, seed in enumerate([102, 103, 105]):
        torch.manual_seed(seed)
        h = torch.randn(1, 96) * 2
        with torch.no_grad():
            tokens, state = model(h)
        steps.append(control_models.steps_run(tokens))
        np.save(os.path.join(out, f"decoder_{k}.input0.npy"), h.numpy())
        np.save(os.path.join(out, f"decoder_{k}.output0.npy"), tokens.numpy())
        np.save(os.path.join(out, f"decoder_{k}.output1.npy"), state.numpy())
    assert len(set(steps)) == len(steps), steps
    print("decoder steps", *steps)


def gated(out):
    torch.manual_seed(0)
    model, example = control_models.gated_resnet()
    torch.onnx.export(model, example, os.path.join(out, "gated_resnet.onnx"),
                      opset_version=17)
    paths = []
    for k, offset in enumerate([-1.0, 0.0]):
        torch.manual_seed(7)
        x = torch.randn(1, 3, 32, 32) + offset
        with torch.no_grad():
            np.save(os.path.join(out, f"gated_{k}.output0.npy"),
                    model(x).numpy())
        np.save(os.path.join(out, f"gated_{k}.input0.npy"), x.numpy())
        paths.append(control_models.blocks_run(model, x))
    assert len(set(paths)) == len(paths), paths
    print("gated blocks run", *paths)


if __name__ == "__main__":
    decoder(sys.argv[1])
    gated(sys.argv[1])
