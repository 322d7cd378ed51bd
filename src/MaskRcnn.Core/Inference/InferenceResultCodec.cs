using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

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
            CocoResultBinary.Write(w, result.Bbox);
            Optional(w, result.Segm);
            Optional(w, result.Keypoints);
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
        List<CocoResult>? segm = null, keypoints = null;
        long ticks = 0;
        foreach (var part in parts)
        {
            using var r = new BinaryReader(new MemoryStream(part));
            ids.AddRange(Longs(r));
            skipped.AddRange(Longs(r));
            ticks = Math.Max(ticks, r.ReadInt64());
            bbox.AddRange(CocoResultBinary.Read(r));
            if (r.ReadBoolean()) (segm ??= []).AddRange(CocoResultBinary.Read(r));
            if (r.ReadBoolean()) (keypoints ??= []).AddRange(CocoResultBinary.Read(r));
        }
        return new DatasetInferenceResult(ids, bbox, segm, keypoints, skipped.Order().ToList(), TimeSpan.FromTicks(ticks));
    }

    /// <summary>Whether the results are there, then the results.</summary>
    static void Optional(BinaryWriter w, IReadOnlyList<CocoResult>? results)
    {
        w.Write(results is not null);
        if (results is not null) CocoResultBinary.Write(w, results);
    }

    static void Longs(BinaryWriter w, IReadOnlyList<long> values)
    {
        w.Write(values.Count);
        foreach (var v in values) w.Write(v);
    }

    static List<long> Longs(BinaryReader r) => Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadInt64()).ToList();
}
