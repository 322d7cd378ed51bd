#!/usr/bin/python3
"""Names and shapes of dbolya/yolact's state dicts (yolact_base: R-101, yolact_resnet50), for the name-map tests.

Usage: /usr/bin/python3 scripts/make_yolact_names_fixture.py YOLACT_DIR
    YOLACT_DIR: a checkout of github.com/dbolya/yolact outside this repository (only its Python is read)

Writes tests/MaskRcnn.Tests/Fixtures/model/yolact_state_dict_names.json (Debian's torch 1.13).

The reference's model code is imported and built as is; only what listing names does not need is stood in for:
yolact.py calls torch.cuda.current_device() at import (a no-op here, there is no GPU), and its data package imports
cv2 and pycocotools for the datasets (empty modules here: building the model never touches them).
"""
import json
import os
import subprocess
import sys
import types

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "MaskRcnn.Tests", "Fixtures", "model",
                   "yolact_state_dict_names.json")
CONFIGS = ["yolact_base_config", "yolact_resnet50_config"]


def import_reference(directory):
    for name in ["cv2", "pycocotools", "pycocotools.mask", "pycocotools.coco", "pycocotools.cocoeval"]:
        sys.modules.setdefault(name, types.ModuleType(name))
    torch.cuda.current_device = lambda: 0
    sys.path.insert(0, os.path.abspath(directory))
    import yolact
    from data.config import set_cfg
    return yolact, set_cfg


def commit_of(directory):
    try:
        return subprocess.run(["git", "-C", directory, "rev-parse", "HEAD"], check=True, capture_output=True,
                              text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    yolact, set_cfg = import_reference(directory)
    models = {}
    for config in CONFIGS:
        set_cfg(config)  # the reference keeps its config global; the model reads it while being built
        model = yolact.Yolact()
        models[config[:-len("_config")]] = [[name, list(t.shape)] for name, t in model.state_dict().items()]
    versions = {"torch": torch.__version__, "yolact": commit_of(directory)}
    # One name per line, so that a diff of the fixture reads as a diff of names.
    blocks = [f'  {json.dumps(model)}: [\n' + ",\n".join(f"   {json.dumps(entry)}" for entry in entries) + "\n  ]"
              for model, entries in models.items()]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write('{\n "versions": ' + json.dumps(versions) + ',\n "models": {\n' + ",\n".join(blocks) + "\n }\n}\n")
    print(f"wrote {OUT}: " + ", ".join(f"{k} {len(v)} names" for k, v in models.items()))


if __name__ == "__main__":
    main()
