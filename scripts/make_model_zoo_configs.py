#!/usr/bin/python3
"""Writes maskrcnn-benchmark's model zoo as this project's own config files, and the values they must hold as a
test fixture.

Usage: /usr/bin/python3 scripts/make_model_zoo_configs.py [REFERENCE_CONFIGS_DIR]
    REFERENCE_CONFIGS_DIR defaults to ../shared/reference/maskrcnn-benchmark-configs (maskrcnn-benchmark's
    configs/ folder at commit 57eec25b75144d9fb1a6857f32553e1574177daf).

For every reference file it writes configs/<same relative path>: the same keys with the same values, laid out in
the order of maskrcnn-benchmark's defaults.py (read from tests/MaskRcnn.Tests/Fixtures/maskrcnn_benchmark_defaults.json)
under a header that says what the model is, derived from the values. Values are decoded as yacs decodes them
(a string that is a Python literal becomes that literal), so "(800,)" is written as a tuple and "R-50-FPN" as a string.

It also writes tests/MaskRcnn.Tests/Fixtures/model_zoo/reference_values.json: for each file, every key it sets
and the decoded value, which the tests compare with what our loader reads from the files we ship. Run it again
whenever the header wording changes; the values cannot change unless the reference does.
"""
import ast
import json
import os
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULTS = os.path.join(REPO, "tests/MaskRcnn.Tests/Fixtures/maskrcnn_benchmark_defaults.json")
FIXTURE = os.path.join(REPO, "tests/MaskRcnn.Tests/Fixtures/model_zoo/reference_values.json")
COMMIT = "57eec25"


def decode(value):
    """yacs' _decode_cfg_value: a string holding a Python literal becomes the literal."""
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def flatten(node, prefix=""):
    for key, value in node.items():
        if isinstance(value, dict):
            yield from flatten(value, prefix + key + ".")
        else:
            yield prefix + key, value


def format_value(value):
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        items = [format_value(v) for v in value]
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r}")


def to_json(value):
    return [to_json(v) for v in value] if isinstance(value, (tuple, list)) else value


# ---- what a config is, in words -------------------------------------------------------------------------------

DATASET_NAMES = [
    ("keypoints_coco_2014", "COCO 2014 person keypoints"),
    ("coco_2014", "COCO 2014"),
    ("coco_2017", "COCO 2017"),
    ("cityscapes", "Cityscapes"),
    ("voc_2007", "PASCAL VOC 2007"),
    ("voc_2012", "PASCAL VOC 2012"),
]


def dataset_name(names):
    for prefix, words in DATASET_NAMES:
        if any(n.startswith(prefix) for n in names):
            return words
    return ", ".join(names) or "no dataset named"


def family(c):
    if c["MODEL.RETINANET_ON"]:
        return "RetinaNet"
    if c["MODEL.KEYPOINT_ON"]:
        return "Keypoint R-CNN"
    if c["MODEL.RPN_ONLY"]:
        return "RPN (proposals only)"
    return "Mask R-CNN" if c["MODEL.MASK_ON"] else "Faster R-CNN"


def backbone(c):
    body = c["MODEL.BACKBONE.CONV_BODY"]
    if body == "FBNet":
        return f"FBNet ({c['MODEL.FBNET.ARCH']})"
    body = body.replace("-RETINANET", "")
    groups, width = c["MODEL.RESNETS.NUM_GROUPS"], c["MODEL.RESNETS.WIDTH_PER_GROUP"]
    if body.startswith("R-") and groups > 1:
        depth, _, rest = body[2:].partition("-")
        body = f"X-{depth}-{groups}x{width}d-{rest}"
    parts = [body]
    if c["MODEL.RESNETS.TRANS_FUNC"] == "BottleneckWithGN":
        parts.append("GroupNorm")
    if any(c["MODEL.RESNETS.STAGE_WITH_DCN"]):
        parts.append("modulated deformable convolutions" if c["MODEL.RESNETS.WITH_MODULATED_DCN"] else "deformable convolutions")
    if c["MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR"] == "FPNXconv1fcFeatureExtractor" and not c["MODEL.RPN_ONLY"]:
        parts.append("4conv+1fc box head")
    return " with ".join([parts[0], " and ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def schedule_name(relative):
    stem = os.path.splitext(os.path.basename(relative))[0]
    if "quick" in stem:
        return "quick schedule"
    for token in reversed(stem.replace("-", "_").split("_")):
        if token.endswith("x") and token[:-1].replace(".", "").isdigit():
            return f"{token} schedule"
    return None


def title(relative, c):
    words = [family(c), backbone(c)]
    weight = c["MODEL.WEIGHT"]
    if weight.startswith("catalog://Caffe2Detectron/"):
        words.append("Detectron's trained model, for evaluation")
    elif schedule_name(relative):
        words.append(schedule_name(relative))
    if c["TEST.BBOX_AUG.ENABLED"]:
        words.append("test-time augmentation")
    if c["MODEL.RETINANET_ON"] and not c["MODEL.RETINANET.USE_C5"]:
        words.append("P6 from P5")
    if c["INPUT.MIN_SIZE_TEST"] != 800:
        words.append(f"{c['INPUT.MIN_SIZE_TEST']}-pixel images")
    if c["SOLVER.TEST_PERIOD"]:
        words.append(f"evaluated every {c['SOLVER.TEST_PERIOD']} iterations")
    if "quick" not in relative and c["SOLVER.IMS_PER_BATCH"] not in (16, 8):
        n = c['SOLVER.IMS_PER_BATCH']
        words.append(f"{n} image{'' if n == 1 else 's'} per batch")
    data = dataset_name(list(c["DATASETS.TEST"]) or list(c["DATASETS.TRAIN"]))
    stem = os.path.basename(relative)
    if "binarymask" in stem:
        data += " (binary masks)"
    elif "poly" in stem:
        data += " (polygons)"
    elif "cocostyle" in stem:
        data += " (COCO-style annotations)"
    return ", ".join(words) + ", " + data


def describe(relative, c, given):
    lines = [title(relative, c)]
    weight = c["MODEL.WEIGHT"]
    if weight == "":
        lines.append("Weights: none; every layer trains from random initialisation.")
    elif weight.startswith("catalog://Caffe2Detectron/"):
        lines.append(f"Weights: {weight}, Detectron's trained COCO model, which maskrcnn-benchmark downloads; this tool downloads nothing.")
    elif weight.startswith("catalog://"):
        lines.append(f"Weights: {weight}, an ImageNet-pretrained backbone, which maskrcnn-benchmark downloads; this tool downloads nothing.")
    else:
        lines.append(f"Weights: {weight}.")
    if any(k.startswith("SOLVER.") for k in given):
        steps = ", ".join(str(s) for s in c["SOLVER.STEPS"])
        lines.append(f"Schedule: {c['SOLVER.MAX_ITER']} iterations of {c['SOLVER.IMS_PER_BATCH']} images, base LR "
                     f"{c['SOLVER.BASE_LR']!r}, times {c['SOLVER.GAMMA']!r} at {steps}.")
    train, test = ", ".join(c["DATASETS.TRAIN"]), ", ".join(c["DATASETS.TEST"])
    lines.append(f"Data: trains on {train or 'nothing named'}; tests on {test or 'nothing named'}"
                 f" ({c['MODEL.ROI_BOX_HEAD.NUM_CLASSES']} classes with background).")
    lines.append(f"maskrcnn-benchmark's configs/{relative} (commit {COMMIT}): the same keys and values, "
                 "written by scripts/make_model_zoo_configs.py.")
    return lines


# ---- writing --------------------------------------------------------------------------------------------------

def write_config(path, header, given, order):
    body, open_sections = [], []
    for key in sorted(given, key=order.index):
        *sections, name = key.split(".")
        common = 0
        while common < min(len(sections), len(open_sections)) and sections[common] == open_sections[common]:
            common += 1
        for depth in range(common, len(sections)):
            body.append("  " * depth + sections[depth] + ":")
        open_sections = sections
        body.append("  " * len(sections) + f"{name}: {format_value(given[key])}")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("".join(f"# {line}\n" for line in header))
        f.write("\n".join(body) + "\n")


def main(reference):
    defaults = json.load(open(DEFAULTS))
    order = [e["key"] for e in defaults]
    default_values = {e["key"]: tuple(e["value"]) if e["type"] == "tuple" else e["value"] for e in defaults}
    fixture = {}
    for folder, _, files in sorted(os.walk(reference)):
        for name in sorted(f for f in files if f.endswith(".yaml")):
            source = os.path.join(folder, name)
            relative = os.path.relpath(source, reference)
            given = dict(flatten(decode(yaml.safe_load(open(source)))))
            unknown = [k for k in given if k not in default_values]
            if unknown:
                sys.exit(f"{relative}: keys unknown to defaults.py: {unknown}")
            merged = {**default_values, **given}
            write_config(os.path.join(REPO, "configs", relative), describe(relative, merged, given), given, order)
            fixture[relative] = {k: to_json(v) for k, v in sorted(given.items(), key=lambda kv: order.index(kv[0]))}
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w") as f:  # one file per line
        f.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in fixture.items()) + "\n}\n")
    print(f"{len(fixture)} configs -> configs/, values -> {os.path.relpath(FIXTURE, REPO)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "reference", "maskrcnn-benchmark-configs"))
