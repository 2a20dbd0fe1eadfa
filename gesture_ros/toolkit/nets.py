"""PyTorch sequence classifiers: GRU, LSTM and a temporal-convolution network."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

ARCHS = ("gru", "lstm", "tcn")


@dataclass
class NetConfig:
    arch: str = "gru"
    hidden: int = 64
    layers: int = 1
    dropout: float = 0.1

    def to_dict(self) -> dict:
        return asdict(self)


class RecurrentClassifier(nn.Module):
    """A GRU or LSTM over the window; logits from the last step's hidden state."""

    def __init__(self, dim: int, n_classes: int, cfg: NetConfig) -> None:
        super().__init__()
        rnn = nn.GRU if cfg.arch == "gru" else nn.LSTM
        self.norm = nn.LayerNorm(dim)
        self.rnn = rnn(dim, cfg.hidden, num_layers=cfg.layers, batch_first=True,
                       dropout=cfg.dropout if cfg.layers > 1 else 0.0)
        self.head = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(cfg.hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.norm(x))
        return self.head(out[:, -1])


class TemporalConvClassifier(nn.Module):
    """Dilated 1-D convolutions over time, then mean and max pooling."""

    def __init__(self, dim: int, n_classes: int, cfg: NetConfig) -> None:
        super().__init__()
        layers, channels = [], dim
        for i in range(max(cfg.layers, 2)):
            layers += [nn.Conv1d(channels, cfg.hidden, 3, padding=2 ** i, dilation=2 ** i), nn.GELU()]
            channels = cfg.hidden
        self.norm = nn.LayerNorm(dim)
        self.conv = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(2 * cfg.hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv(self.norm(x).transpose(1, 2))
        return self.head(torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1))


class WithSoftmax(nn.Module):
    """Wrap a logits model so the exported graph outputs probabilities."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(features), dim=-1)


def build_net(dim: int, n_classes: int, cfg: NetConfig) -> nn.Module:
    """Return an untrained classifier for (batch, window, dim) inputs."""
    if cfg.arch not in ARCHS:
        raise ValueError(f"arch must be one of {ARCHS}, got {cfg.arch!r}")
    if cfg.arch == "tcn":
        return TemporalConvClassifier(dim, n_classes, cfg)
    return RecurrentClassifier(dim, n_classes, cfg)
