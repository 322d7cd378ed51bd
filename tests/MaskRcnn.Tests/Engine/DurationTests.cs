using MaskRcnn.Engine;

namespace MaskRcnn.Tests.Engine;

/// <summary>Expected strings are Python's str(datetime.timedelta(seconds=int(s))), as maskrcnn-benchmark prints its ETA.</summary>
public class DurationTests
{
    [Theory]
    [InlineData(0, "0:00:00")]
    [InlineData(1.9, "0:00:01")]
    [InlineData(59, "0:00:59")]
    [InlineData(3661, "1:01:01")]
    [InlineData(86399, "23:59:59")]
    [InlineData(86400, "1 day, 0:00:00")]
    [InlineData(90061, "1 day, 1:01:01")]
    [InlineData(2 * 86400 + 5, "2 days, 0:00:05")]
    [InlineData(90000 * 2.5, "2 days, 14:30:00")] // a COCO 1x schedule at 2.5 s per iteration
    public void WritesDaysPastADayAsPythonsTimedelta(double seconds, string expected) =>
        Assert.Equal(expected, Duration.Format(TimeSpan.FromSeconds(seconds)));
}
