#!/usr/bin/python3
"""State-dict names, shapes, trainability and output shapes of maskrcnn-benchmark's own backbones, for the C# tests.

Usage: /usr/bin/python3 scripts/make_backbone_names_fixture.py MASKRCNN_BENCHMARK_DIR [OUT_DIR]
    MASKRCNN_BENCHMARK_DIR: a checkout of github.com/facebookresearch/maskrcnn-benchmark (only its Python is read)
    OUT_DIR: default tests/MaskRcnn.Tests/Fixtures/model

maskrcnn-benchmark needs compiled extensions and yacs to import as a package; its backbone code does not. This
script loads backbone/resnet.py, backbone/fpn.py, backbone/backbone.py, make_layers.py and layers/batch_norm.py
from the checkout with the few imports they make stubbed (Conv2d is torch's, the config is a plain namespace
built from the defaults dump in Fixtures/maskrcnn_benchmark_defaults.json), builds each case and records what
the C# backbone must reproduce.
"""
import importlib.util
import json
import os
import sys
import types

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ops_fixtures import write  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULTS = os.path.join(HERE, "..", "tests", "MaskRcnn.Tests", "Fixtures", "maskrcnn_benchmark_defaults.json")


class Node(types.SimpleNamespace):
    pass


def default_cfg():
    root = Node()
    for entry in json.load(open(DEFAULTS)):
        node = root
        *path, leaf = entry["key"].split(".")
        for part in path:
            if not hasattr(node, part):
                setattr(node, part, Node())
            node = getattr(node, part)
        value = entry["value"]
        setattr(node, leaf, tuple(value) if isinstance(value, list) else value)
    return root


def set_key(cfg, key, value):
    node = cfg
    *path, leaf = key.split(".")
    for part in path:
        node = getattr(node, part)
    setattr(node, leaf, value)


def load_source(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__path__ = []
    for k, v in attrs.items():
        setattr(module, k, v)
    sys.modules[name] = module
    return module


def load_maskrcnn_benchmark(root, cfg):
    pkg = os.path.join(root, "maskrcnn_benchmark")
    stub("maskrcnn_benchmark")
    stub("maskrcnn_benchmark.utils")
    load_source("maskrcnn_benchmark.utils.registry", os.path.join(pkg, "utils", "registry.py"))
    batch_norm = load_source("maskrcnn_benchmark.layers.batch_norm", os.path.join(pkg, "layers", "batch_norm.py"))
    stub("maskrcnn_benchmark.layers", FrozenBatchNorm2d=batch_norm.FrozenBatchNorm2d, Conv2d=nn.Conv2d, DFConv2d=None)
    stub("maskrcnn_benchmark.config", cfg=cfg)
    stub("maskrcnn_benchmark.modeling")
    stub("maskrcnn_benchmark.modeling.poolers", Pooler=None)
    load_source("maskrcnn_benchmark.modeling.registry", os.path.join(pkg, "modeling", "registry.py"))
    load_source("maskrcnn_benchmark.modeling.make_layers", os.path.join(pkg, "modeling", "make_layers.py"))
    stub("maskrcnn_benchmark.modeling.backbone")
    backbone_dir = os.path.join(pkg, "modeling", "backbone")
    resnet = load_source("maskrcnn_benchmark.modeling.backbone.resnet", os.path.join(backbone_dir, "resnet.py"))
    load_source("maskrcnn_benchmark.modeling.backbone.fpn", os.path.join(backbone_dir, "fpn.py"))
    backbone = load_source("maskrcnn_benchmark.modeling.backbone.backbone", os.path.join(backbone_dir, "backbone.py"))
    return resnet, backbone


def describe(module, outputs, settings):
    state = module.state_dict()
    trainable = {n for n, p in module.named_parameters() if p.requires_grad}
    keys = list(state.keys())
    return {"keys": keys, "shapes": [list(state[k].shape) for k in keys], "trainable": [k in trainable for k in keys],
            "output_shapes": [list(o.shape) for o in outputs], "settings": settings}


def cases(root):
    cfg = default_cfg()
    resnet, backbone = load_maskrcnn_benchmark(root, cfg)
    image = torch.zeros(1, 3, 64, 96)
    backbone_cases = [
        ("R-50-C4", {}),
        ("R-50-C5", {"MODEL.BACKBONE.FREEZE_CONV_BODY_AT": 0, "MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 2048}),
        ("R-101-C4", {"MODEL.BACKBONE.FREEZE_CONV_BODY_AT": 3}),
        ("R-50-FPN", {"MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 256}),
        ("R-101-FPN", {"MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 256, "MODEL.RESNETS.STRIDE_IN_1X1": False,
                       "MODEL.RESNETS.NUM_GROUPS": 32, "MODEL.RESNETS.WIDTH_PER_GROUP": 8, "MODEL.BACKBONE.FREEZE_CONV_BODY_AT": 5}),
        ("R-50-FPN", {"MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 256, "MODEL.RESNETS.STEM_FUNC": "StemWithGN",
                      "MODEL.RESNETS.TRANS_FUNC": "BottleneckWithGN", "MODEL.FPN.USE_GN": True, "MODEL.BACKBONE.FREEZE_CONV_BODY_AT": 0}),
        ("R-50-FPN", {"MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 256, "MODEL.FPN.USE_RELU": True, "MODEL.BACKBONE.FREEZE_CONV_BODY_AT": 1}),
        ("R-50-FPN", {"MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 128, "MODEL.RESNETS.STEM_FUNC": "StemWithGN",
                      "MODEL.RESNETS.TRANS_FUNC": "BottleneckWithGN", "MODEL.FPN.USE_GN": True, "MODEL.FPN.USE_RELU": True,
                      "MODEL.GROUP_NORM.DIM_PER_GP": 16, "MODEL.GROUP_NORM.NUM_GROUPS": -1, "MODEL.RESNETS.STEM_OUT_CHANNELS": 32,
                      "MODEL.RESNETS.RES2_OUT_CHANNELS": 128, "MODEL.BACKBONE.FREEZE_CONV_BODY_AT": 0}),
        ("R-152-FPN", {"MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 256}),
        ("R-50-FPN-RETINANET", {"MODEL.RESNETS.BACKBONE_OUT_CHANNELS": 256}),
    ]
    result = []
    for body, overrides in backbone_cases:
        cfg = default_cfg()
        set_key(cfg, "MODEL.BACKBONE.CONV_BODY", body)
        for k, v in overrides.items():
            set_key(cfg, k, v)
        sys.modules["maskrcnn_benchmark.config"].cfg = cfg  # group_norm() reads the global config
        sys.modules["maskrcnn_benchmark.modeling.make_layers"].cfg = cfg
        torch.manual_seed(0)
        model = backbone.build_backbone(cfg).eval()
        with torch.no_grad():
            outputs = model(image)
        settings = {"MODEL.BACKBONE.CONV_BODY": body, **overrides}
        name = body + "".join(f",{k.split('.')[-1]}={v}" for k, v in overrides.items())
        result.append({"name": name, "params": describe(model, outputs, settings), "tensors": {}})
        print(name, len(result[-1]["params"]["keys"]), "tensors", result[-1]["params"]["output_shapes"])

    # The C4 box head (ResNet50Conv5ROIFeatureExtractor's ResNetHead), plain and dilated.
    for dilation, trans in ((1, "BottleneckWithFixedBatchNorm"), (2, "BottleneckWithFixedBatchNorm"), (1, "BottleneckWithGN")):
        cfg = default_cfg()
        sys.modules["maskrcnn_benchmark.config"].cfg = cfg
        sys.modules["maskrcnn_benchmark.modeling.make_layers"].cfg = cfg
        stage = resnet.StageSpec(index=4, block_count=3, return_features=False)
        head = resnet.ResNetHead(block_module=trans, stages=(stage,), num_groups=1, width_per_group=64, stride_in_1x1=True,
                                 stride_init=None, res2_out_channels=256, dilation=dilation).eval()
        with torch.no_grad():
            out = head(torch.zeros(2, 1024, 14, 14))
        settings = {"MODEL.RESNETS.RES5_DILATION": dilation, "MODEL.RESNETS.TRANS_FUNC": trans}
        result.append({"name": f"ResNetHead,dilation={dilation},{trans}", "params": describe(head, [out], settings), "tensors": {}})
        print(result[-1]["name"], list(out.shape))
    return result


def main(root, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    write(out_dir, "backbone_names", cases(root))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "tests", "MaskRcnn.Tests", "Fixtures", "model"))
