using MaskRcnn.Checkpoint;
using MaskRcnn.Config;
using MaskRcnn.Inference;
using MaskRcnn.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Inference;

/// <summary>The shapes config shrunk to a model that runs in milliseconds on 64–96 px images, randomly initialised from a
/// fixed seed, with no score threshold so that even random weights detect something. Seeding draws on torch's global
/// generator: tests using it belong to the training collection.</summary>
static class TinyModel
{
    public static string ConfigFile => Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml");

    /// <summary>The overrides that shrink <see cref="ConfigFile"/>, as KEY VALUE pairs for the command line too.</summary>
    public static readonly string[] Overrides =
        ["MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(64,)",
         "MODEL.ROI_MASK_HEAD.RESOLUTION", "14", "MODEL.ROI_MASK_HEAD.POOLER_RESOLUTION", "7", "MODEL.ROI_HEADS.SCORE_THRESH", "0.0",
         "MODEL.RPN.PRE_NMS_TOP_N_TEST", "100", "MODEL.RPN.POST_NMS_TOP_N_TEST", "50", "MODEL.RPN.FPN_POST_NMS_TOP_N_TEST", "50",
         "INPUT.MIN_SIZE_TEST", "64", "INPUT.MAX_SIZE_TEST", "96", "DATALOADER.NUM_WORKERS", "0", "TEST.IMS_PER_BATCH", "3",
         "DATASETS.TEST", "()", "DATASETS.TRAIN", "()"];

    public static MaskRcnnConfig Config(params string[] extra) => ConfigLoader.Load(ConfigFile, [.. Overrides, .. extra]);

    public static Predictor Predictor(MaskRcnnConfig cfg, int seed = 7)
    {
        torch.manual_seed(seed);
        return MaskRcnn.Inference.Predictor.FromModel(cfg, ModelBuilder.Build(cfg));
    }

    /// <summary>Writes the tiny model's weights, initialised from <paramref name="seed"/>, as a checkpoint of ours (recording
    /// <paramref name="categories"/> as training does, when given).</summary>
    public static void SaveCheckpoint(string path, int seed = 7, IReadOnlyList<CheckpointCategory>? categories = null)
    {
        torch.manual_seed(seed);
        using var model = ModelBuilder.Build(Config());
        CheckpointFile.SaveWeights(path, model.state_dict(), provenance: categories is null ? null : CheckpointCategories.Metadata(categories));
    }

    /// <summary>A [3,H,W] uint8 image of smooth colour gradients with a few bright rectangles, the same for the same seed.</summary>
    public static Tensor Image(int height, int width, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[3 * height * width];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    pixels[(c * height + y) * width + x] = (byte)((x * (c + 1) * 3 + y * (3 - c) * 2 + seed * 17) % 200);
        for (int r = 0; r < 3; r++)
        {
            int x0 = rng.Next(width / 2), y0 = rng.Next(height / 2), w = rng.Next(8, width / 2), h = rng.Next(8, height / 2);
            for (int c = 0; c < 3; c++)
                for (int y = y0; y < Math.Min(height, y0 + h); y++)
                    for (int x = x0; x < Math.Min(width, x0 + w); x++)
                        pixels[(c * height + y) * width + x] = (byte)(255 - 60 * c * r % 255);
        }
        return torch.tensor(pixels, [3, height, width], ScalarType.Byte);
    }
}
