"""Models whose operators can run side by side: what a spatial scheduler
(Rammer, docs/Rammer.md) has to fill the machine with.

- nasnet_cells: a network of NASNet-A normal cells (Zoph et al. 2018):
  each cell combines its two inputs through five blocks of separable
  convolutions, pooling and identities, and concatenates them.
- resnext_stage: the first stage of ResNeXt-50 32x4d with its 32 groups
  written as 32 branches (the paper's equivalent form (b): 32 paths of a
  1x1 and a 3x3 convolution, concatenated, then a 1x1 convolution and the
  residual).
- lstm4: a 4-layer LSTM over 16 steps, whose cells form a wavefront
  across layers and steps.
- lstm10: Cocktailer's LSTM benchmark (10 layers, hidden 256, 64 steps),
  kept as a loop per layer (COMPILE_FLAGS): what device-resident loops
  (Grinder, docs/Grinder.md) are for.

Each builder returns the module (random weights under the caller's seed)
and its inputs.
"""

import torch
from torch import nn


class SeparableConv(nn.Sequential):
    """NASNet's separable convolution: twice ReLU, depthwise k x k,
    pointwise 1x1 and batch normalization."""

    def __init__(self, channels, kernel):
        layers = []
        for _ in range(2):
            layers += [nn.ReLU(),
                       nn.Conv2d(channels, channels, kernel,
                                 padding=kernel // 2, groups=channels,
                                 bias=False),
                       nn.Conv2d(channels, channels, 1, bias=False),
                       nn.BatchNorm2d(channels)]
        super().__init__(*layers)


def pool3():
    return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)


class NormalCell(nn.Module):
    """A NASNet-A normal cell on the previous two cells' outputs, each first
    brought to `channels` by ReLU, 1x1 convolution and batch normalization."""

    def __init__(self, prev_channels, cur_channels, channels):
        super().__init__()
        self.adjust_prev = self.adjust(prev_channels, channels)
        self.adjust_cur = self.adjust(cur_channels, channels)
        self.b0 = SeparableConv(channels, 3)
        self.b1_h, self.b1_x = SeparableConv(channels, 3), SeparableConv(
            channels, 5)
        self.b2 = pool3()
        self.b3_a, self.b3_b = pool3(), pool3()
        self.b4_a, self.b4_b = SeparableConv(channels, 5), SeparableConv(
            channels, 3)

    @staticmethod
    def adjust(inputs, channels):
        return nn.Sequential(nn.ReLU(), nn.Conv2d(inputs, channels, 1,
                                                  bias=False),
                             nn.BatchNorm2d(channels))

    def forward(self, prev, cur):
        h, x = self.adjust_prev(prev), self.adjust_cur(cur)
        blocks = [self.b0(x) + x,
                  self.b1_h(h) + self.b1_x(x),
                  self.b2(x) + h,
                  self.b3_a(h) + self.b3_b(h),
                  self.b4_a(h) + self.b4_b(h)]
        return torch.cat([h] + blocks, dim=1)


class NasnetCells(nn.Module):
    """A stem convolution, four normal cells and a classifier head."""

    def __init__(self, channels=32, cells=4, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, stride=2,
                                            padding=1, bias=False),
                                  nn.BatchNorm2d(channels))
        widths = [channels, channels]
        self.cells = nn.ModuleList()
        for _ in range(cells):
            self.cells.append(NormalCell(widths[-2], widths[-1], channels))
            widths.append(6 * channels)
        self.head = nn.Linear(widths[-1], classes)

    def forward(self, image):
        prev = cur = self.stem(image)
        for cell in self.cells:
            prev, cur = cur, cell(prev, cur)
        pooled = torch.relu(cur).mean(dim=(2, 3))
        return self.head(pooled)


class BranchBlock(nn.Module):
    """A ResNeXt bottleneck with its groups as branches: each of `groups`
    paths reduces to `width` channels by a 1x1 convolution and applies a
    3x3 one; the concatenated paths are expanded by a 1x1 convolution and
    added to the input."""

    def __init__(self, channels=256, groups=32, width=4):
        super().__init__()
        self.paths = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channels, width, 1, bias=False),
                          nn.BatchNorm2d(width), nn.ReLU(),
                          nn.Conv2d(width, width, 3, padding=1, bias=False),
                          nn.BatchNorm2d(width), nn.ReLU())
            for _ in range(groups))
        self.expand = nn.Sequential(
            nn.Conv2d(groups * width, channels, 1, bias=False),
            nn.BatchNorm2d(channels))

    def forward(self, x):
        paths = torch.cat([path(x) for path in self.paths], dim=1)
        return torch.relu(self.expand(paths) + x)


def nasnet_cells():
    return NasnetCells(), (torch.randn(1, 3, 64, 64),)


def resnext_stage():
    stage = nn.Sequential(BranchBlock(), BranchBlock(), BranchBlock())
    return stage, (torch.randn(1, 256, 56, 56),)


class StackedLstm(nn.Module):
    """`layers` LSTM layers of width `width`, the last output projected."""

    def __init__(self, inputs, width, layers):
        super().__init__()
        self.lstm = nn.LSTM(inputs, width, num_layers=layers)
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[-1])


def lstm4():
    """4 layers over 16 steps."""
    return StackedLstm(64, 128, 4), (torch.randn(16, 4, 64),)


def lstm10():
    """Cocktailer's LSTM benchmark shape: 10 layers, hidden 256, 64 steps,
    batch 1."""
    return StackedLstm(256, 256, 10), (torch.randn(64, 1, 256),)


MODELS = {"nasnet_cells": nasnet_cells, "resnext_stage": resnext_stage,
          "lstm4": lstm4, "lstm10": lstm10}

# What a model is compiled with besides its target. The 10-layer LSTM stays
# a loop per layer: unrolled (640 copies of the cell) it takes minutes to
# compile (docs/Grinder.md).
COMPILE_FLAGS = {"lstm10": ["--rnn=loop"]}
