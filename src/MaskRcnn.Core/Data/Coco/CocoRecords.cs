using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Coco;

public sealed record CocoImage(long Id, string FileName, int Width, int Height);

public sealed record CocoCategory(long Id, string Name, string? Supercategory);

/// <summary>An annotation's "segmentation", in whichever of COCO's three forms it was written.</summary>
public abstract record CocoSegmentationData
{
    /// <summary>The mask as pycocotools' <c>annToRLE</c> makes it.</summary>
    public abstract Rle ToRle(int height, int width);
}

/// <summary>One or more polygons, each x0,y0,x1,y1,…: the instance is their union.</summary>
public sealed record CocoPolygons(IReadOnlyList<double[]> Polygons) : CocoSegmentationData
{
    public override Rle ToRle(int height, int width) => CocoSegmentation.FromPolygons(Polygons, height, width);
}

/// <summary><c>{"counts": [ints], "size": [h, w]}</c>, as crowd regions are written.</summary>
public sealed record CocoUncompressedRle(uint[] Counts, int Height, int Width) : CocoSegmentationData
{
    public override Rle ToRle(int height, int width) => CocoSegmentation.FromUncompressedRle(Counts, Height, Width);
}

/// <summary><c>{"counts": "string", "size": [h, w]}</c>.</summary>
public sealed record CocoCompressedRle(string Counts, int Height, int Width) : CocoSegmentationData
{
    public static CocoCompressedRle Of(Rle rle) => new(rle.ToCompressedString(), rle.Height, rle.Width);

    public override Rle ToRle(int height, int width) => CocoSegmentation.FromCompressedRle(Counts, Height, Width);
}

/// <summary>An object annotation. <see cref="Bbox"/> is COCO's x, y, width, height.</summary>
public sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, CocoBox Bbox, double Area, bool IsCrowd, CocoSegmentationData? Segmentation)
{
    /// <summary>COCO's <c>keypoints</c>: x, y, v per keypoint (v 0 = not labelled, 1 = labelled but hidden, 2 = visible); null when absent.</summary>
    public double[]? Keypoints { get; init; }

    /// <summary>COCO's <c>num_keypoints</c>, the labelled keypoints; pycocotools ignores a ground truth with 0 in keypoint evaluation.</summary>
    public int? NumKeypoints { get; init; }
}
