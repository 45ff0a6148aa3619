"""Models whose control flow depends on their input: what moving loops
and branches onto the device (Grinder, docs/Grinder.md) is for. Each is
scripted (torch.jit.script), so that its ONNX export keeps the loop or
branches as Loop and If.

- greedy_decoder: a recurrent decoder that feeds back its argmax token
  until it emits the end token or reaches its most steps (a data-dependent
  trip count); it returns the tokens (end-padded) and its last state.
- gated_resnet: a SkipNet-like residual network whose blocks each have a
  gate (pooled features, a linear layer) deciding whether the block runs
  for this image or is skipped.

Each builder returns the scripted module (random weights under the
caller's seed) and its inputs; INPUT_SETS gives further inputs that take
other paths through the model.
"""

import torch
from torch import nn


class GreedyDecoder(nn.Module):
    def __init__(self, vocab=40, width=96, steps=24, end=0):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.input = nn.Linear(width, width)
        self.state = nn.Linear(width, width)
        self.out = nn.Linear(width, vocab)
        self.steps = steps
        self.end = end

    def forward(self, h):
        token = torch.ones(1, dtype=torch.long)
        tokens = torch.full([self.steps], self.end, dtype=torch.long)
        positions = torch.arange(self.steps)
        i = 0
        while i < self.steps and bool(token[0] != self.end):
            h = torch.tanh(self.input(self.embed(token)) + self.state(h))
            token = torch.argmax(self.out(h), dim=1)
            tokens = torch.where(positions == i, token, tokens)
            i += 1
        return tokens, h


class GatedBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.gate = nn.Linear(channels, 1)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        score = self.gate(x.mean(dim=[2, 3]))
        if bool(score[0, 0] > 0.0):
            x = torch.relu(x + self.conv2(torch.relu(self.conv1(x))))
        return x


class GatedResnet(nn.Module):
    def __init__(self, channels=32, blocks=4, block=GatedBlock):
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1)
        self.blocks = nn.ModuleList([block(channels) for _ in range(blocks)])
        self.head = nn.Linear(channels, 10)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(dim=[2, 3]))


def blocks_run(model, x):
    """Which blocks of a gated ResNet run for image `x`: "1011" runs the
    first, third and fourth."""
    with torch.no_grad():
        y = torch.relu(model.stem(x))
        run = ""
        for block in model.blocks:
            run += "1" if block.gate(y.mean(dim=[2, 3]))[0, 0] > 0 else "0"
            y = block(y)
    return run


def steps_run(tokens, end=0):
    """How many steps a decoder ran for its end-padded `tokens`: the
    tokens before the end token, and the end token unless it ran out of
    steps."""
    ran = int((tokens != end).sum())
    return ran + (1 if ran < tokens.numel() else 0)


def greedy_decoder():
    return torch.jit.script(GreedyDecoder().eval()), (torch.randn(1, 96),)


def gated_resnet():
    return torch.jit.script(GatedResnet().eval()), (torch.randn(1, 3, 32, 32),)


MODELS = {"greedy_decoder": greedy_decoder, "gated_resnet": gated_resnet}
