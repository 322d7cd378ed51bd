using MaskRcnn.Data.Coco;
using MaskRcnn.Inference;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Distributed;

/// <summary>
/// A rank's <see cref="DatasetInferenceResult"/> as bytes for gathering to rank 0, every number exact (no JSON
/// rounding), so the joined results evaluate as one process's would.
/// </summary>
public static class InferenceResultCodec
{
    public static byte[] Encode(DatasetInferenceResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            Longs(w, result.ImageIds);
            Longs(w, result.SkippedImageIds);
            w.Write(result.Elapsed.Ticks);
            Results(w, result.Bbox);
            w.Write(result.Segm is not null);
            if (result.Segm is not null) Results(w, result.Segm);
        }
        return stream.ToArray();
    }

    /// <summary>The ranks' results (contiguous shards, in rank order) joined into the whole dataset's: image id order kept,
    /// the elapsed time the slowest rank's.</summary>
    public static DatasetInferenceResult Join(IEnumerable<byte[]> parts)
    {
        var ids = new List<long>();
        var skipped = new List<long>();
        var bbox = new List<CocoResult>();
        List<CocoResult>? segm = null;
        long ticks = 0;
        foreach (var part in parts)
        {
            using var r = new BinaryReader(new MemoryStream(part));
            ids.AddRange(Longs(r));
            skipped.AddRange(Longs(r));
            ticks = Math.Max(ticks, r.ReadInt64());
            bbox.AddRange(Results(r));
            if (r.ReadBoolean()) (segm ??= []).AddRange(Results(r));
        }
        return new DatasetInferenceResult(ids, bbox, segm, skipped.Order().ToList(), TimeSpan.FromTicks(ticks));
    }

    static void Longs(BinaryWriter w, IReadOnlyList<long> values)
    {
        w.Write(values.Count);
        foreach (var v in values) w.Write(v);
    }

    static List<long> Longs(BinaryReader r) => Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadInt64()).ToList();

    static void Results(BinaryWriter w, IReadOnlyList<CocoResult> results)
    {
        w.Write(results.Count);
        foreach (var x in results)
        {
            w.Write(x.ImageId);
            w.Write(x.CategoryId);
            w.Write(x.Bbox.X); w.Write(x.Bbox.Y); w.Write(x.Bbox.Width); w.Write(x.Bbox.Height);
            w.Write(x.Score);
            w.Write(x.Segmentation is not null);
            if (x.Segmentation is { } rle)
            {
                w.Write(rle.Height);
                w.Write(rle.Width);
                w.Write(rle.Counts.Length);
                foreach (var c in rle.Counts) w.Write(c);
            }
        }
    }

    static List<CocoResult> Results(BinaryReader r)
    {
        int n = r.ReadInt32();
        var results = new List<CocoResult>(n);
        for (int i = 0; i < n; i++)
        {
            long image = r.ReadInt64(), category = r.ReadInt64();
            var box = new CocoBox(r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());
            double score = r.ReadDouble();
            Rle? mask = null;
            if (r.ReadBoolean())
            {
                int h = r.ReadInt32(), wd = r.ReadInt32(), count = r.ReadInt32();
                var counts = new uint[count];
                for (int k = 0; k < count; k++) counts[k] = r.ReadUInt32();
                mask = new Rle(h, wd, counts);
            }
            results.Add(new CocoResult(image, category, box, score, mask));
        }
        return results;
    }
}
