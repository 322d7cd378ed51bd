namespace MaskRcnn.Layers;

/// <summary>Height, width and spatial scale of one feature map that RoIs are pooled from.</summary>
readonly record struct FeatureLevelGeometry(int Height, int Width, double SpatialScale);
