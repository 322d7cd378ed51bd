using TorchSharp;

namespace MaskRcnn.Engine;

/// <summary>
/// The seed of each training image's random samples (RPN anchors, RoIs, masks to train), a function of the run's seed,
/// the iteration and the image's position in the iteration's whole batch only. So an image is sampled alike whether
/// the batch runs in one process or split over several (each sampling its own images), and a resumed run samples as
/// an uninterrupted one without saving generator state.
/// </summary>
public static class SamplingSeeds
{
    public static ulong For(int seed, long iteration, int position) =>
        Mix(Mix(Mix(0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed) ^ (ulong)iteration) ^ (ulong)(uint)position);

    /// <summary>One CPU generator per position, seeded by <see cref="For"/>; the caller disposes them.</summary>
    public static List<torch.Generator> Generators(int seed, long iteration, IEnumerable<int> positions) =>
        positions.Select(p => new torch.Generator(For(seed, iteration, p))).ToList();

    // splitmix64's finaliser: nearby inputs give unrelated seeds.
    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
