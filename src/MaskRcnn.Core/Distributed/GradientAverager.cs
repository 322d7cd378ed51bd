using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Distributed;

/// <summary>
/// DistributedDataParallel's gradient step: after backward, every trained parameter's gradient becomes the mean over the
/// ranks. Gradients travel flattened into buckets of about <paramref name="bucketBytes"/> (DDP's 25 MB) in float32,
/// one all-reduce per bucket rather than one per parameter. A parameter that got no gradient on this rank (a head
/// without samples) contributes zeros, so every rank reduces the same buffers.
/// </summary>
public sealed class GradientAverager(IReadOnlyList<Tensor> parameters, IProcessGroup group, long bucketBytes = 25L << 20)
{
    readonly List<Tensor[]> buckets = Bucket(parameters, bucketBytes / sizeof(float));

    public void Average()
    {
        if (group.Size == 1) return;
        foreach (var bucket in buckets)
        {
            using var scope = torch.NewDisposeScope();
            var device = bucket[0].device;
            var flat = torch.cat(bucket.Select(p => (p.grad is { } g ? g : torch.zeros_like(p)).flatten().to(ScalarType.Float32)).ToArray()).ToCpuContiguous(ScalarType.Float32);
            group.AllReduceSum(flat.AsSpan<float>());
            flat.div_(group.Size);
            var averaged = flat.to(device);
            long at = 0;
            foreach (var p in bucket)
            {
                var slice = averaged.narrow(0, at, p.numel()).view_as(p).to(p.dtype);
                at += p.numel();
                if (p.grad is { } g) g.copy_(slice);
                else p.grad = slice.clone().MoveToOuterDisposeScope();
            }
        }
    }

    static List<Tensor[]> Bucket(IReadOnlyList<Tensor> parameters, long elementsPerBucket)
    {
        var buckets = new List<Tensor[]>();
        var current = new List<Tensor>();
        long size = 0;
        foreach (var p in parameters)
        {
            if (current.Count > 0 && size + p.numel() > elementsPerBucket)
            {
                buckets.Add([.. current]);
                current.Clear();
                size = 0;
            }
            current.Add(p);
            size += p.numel();
        }
        if (current.Count > 0) buckets.Add([.. current]);
        return buckets;
    }
}
