namespace MaskRcnn.Inference;

/// <summary>How far an inference run is: images done of the total, the time so far, the rate and the time left at that rate.</summary>
public sealed record InferenceProgress(int Done, int Total, TimeSpan Elapsed)
{
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>Null until an image is done.</summary>
    public TimeSpan? Eta => Done > 0 ? TimeSpan.FromSeconds(Elapsed.TotalSeconds / Done * (Total - Done)) : null;
}
