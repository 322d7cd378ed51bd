#!/usr/bin/python3
"""Reference outputs of torchvision's ResNet-FPN backbones on the deterministic weights of reference_weights.py.

Usage (Debian 12: apt-get install python3-torchvision; run with Debian's own interpreter):
    /usr/bin/python3 scripts/make_backbone_fixture.py [OUT_DIR]   # default tests/MaskRcnn.Tests/Fixtures/model

torchvision's resnet_fpn_backbone with FrozenBatchNorm2d (eps 1e-5), every tensor filled by the rule, on a
1x3x160x224 image from the same rule (key "image"). Stored per output (body C2..C5 and FPN '0'..'pool'):
per-channel mean and std (float64, population), the full maps of a few channels, and a strided subset of all
channels; plus the state-dict keys and shapes (for the name mapping) and a few filled values to pin the rule.
"""
import os
import sys

import torch
import torchvision
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops.misc import FrozenBatchNorm2d

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_weights as rw  # noqa: E402
from make_ops_fixtures import T, write  # noqa: E402

HEIGHT, WIDTH = 160, 224
SAMPLED_CHANNELS = {"0": [0, 101, 255], "1": [0, 101, 255], "2": [0, 101, 255], "3": [0, 101, 255], "pool": [0, 101, 255]}
PINNED_KEYS = ["body.conv1.weight", "body.bn1.running_var", "body.layer1.0.bn1.weight", "fpn.inner_blocks.0.0.bias"]


def output_tensors(name, y, channels):
    y = y.detach().double()
    per_channel = y.transpose(0, 1).reshape(y.shape[1], -1)
    tensors = {f"{name}.mean": T(per_channel.mean(1)), f"{name}.std": T(per_channel.std(1, unbiased=False))}
    if channels is not None:
        tensors[f"{name}.channels"] = T(y[0, channels].float())
        tensors[f"{name}.channel_index"] = T(torch.tensor(channels, dtype=torch.int64))
        tensors[f"{name}.strided"] = T(y[0, ::8, ::3, ::3].float())
    return tensors


def case(arch):
    torch.manual_seed(0)
    model = resnet_fpn_backbone(backbone_name=arch, weights=None, norm_layer=FrozenBatchNorm2d, trainable_layers=5)
    model.eval()
    rw.fill(model)
    state = model.state_dict()
    image = rw.image("image", (1, 3, HEIGHT, WIDTH))
    with torch.no_grad():
        body = model.body(image)
        fpn = model.fpn(body)
    tensors = {"image.head": T(image.flatten()[:16])}
    for key in PINNED_KEYS:
        tensors[f"pinned.{key}"] = T(state[key].flatten()[:16])
    for name, y in body.items():
        tensors.update(output_tensors(f"body.{name}", y, None))
    for name, y in fpn.items():
        tensors.update(output_tensors(f"fpn.{name}", y, SAMPLED_CHANNELS[name]))
        print(f"{arch} fpn {name}: {tuple(y.shape)} mean {y.mean():.4g} std {y.std():.4g} max |y| {y.abs().max():.4g}")
    keys = [k for k in state.keys() if not k.endswith("num_batches_tracked")]
    return {"name": arch, "params": {"height": HEIGHT, "width": WIDTH, "eps": 1e-5, "pinned": PINNED_KEYS,
                                     "body_outputs": list(body.keys()), "fpn_outputs": list(fpn.keys()),
                                     "keys": keys, "shapes": [list(state[k].shape) for k in keys]},
            "tensors": tensors}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    write(out_dir, "backbone_fpn", [case("resnet50"), case("resnet18")])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/MaskRcnn.Tests/Fixtures/model")
