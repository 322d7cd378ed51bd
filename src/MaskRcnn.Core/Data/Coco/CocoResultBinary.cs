using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Coco;

/// <summary>COCO results in a compact binary form with every number exact (JSON would round them), for results that
/// travel between the processes of a distributed run.</summary>
public static class CocoResultBinary
{
    public static void Write(BinaryWriter w, IReadOnlyList<CocoResult> results)
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
            Doubles(w, x.Keypoints);
            Doubles(w, x.KeypointScores);
        }
    }

    public static List<CocoResult> Read(BinaryReader r)
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
                int height = r.ReadInt32(), width = r.ReadInt32(), count = r.ReadInt32();
                var counts = new uint[count];
                for (int k = 0; k < count; k++) counts[k] = r.ReadUInt32();
                mask = new Rle(height, width, counts);
            }
            var keypoints = Doubles(r);
            results.Add(new CocoResult(image, category, box, score, mask, keypoints, Doubles(r)));
        }
        return results;
    }

    /// <summary>An optional list: its length (−1 for none), then the values.</summary>
    static void Doubles(BinaryWriter w, double[]? values)
    {
        w.Write(values?.Length ?? -1);
        foreach (var v in values ?? []) w.Write(v);
    }

    static double[]? Doubles(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count < 0) return null;
        var values = new double[count];
        for (int k = 0; k < count; k++) values[k] = r.ReadDouble();
        return values;
    }
}
