using System.Text.RegularExpressions;
using MaskRcnn.Engine;
using MaskRcnn.Engine.Events;

namespace MaskRcnn.Tests.Engine.Events;

/// <summary>Each writer of a training run on its own, from a fixed <see cref="TrainingProgress"/>: the console line,
/// metrics.jsonl, TensorBoard and loss.png keep the formats the trainer has always written.</summary>
public class TrainingEventWritersTests
{
    static TrainingProgress Progress(long iteration, bool logged, double loss = 1.5)
    {
        var meters = new MetricLogger();
        meters.Update("loss", loss);
        meters.Update("loss_classifier", 0.25);
        meters.Update("time", 0.5);
        meters.Update("data", 0.125);
        return new TrainingProgress(iteration, 100, 0.005, meters, logged);
    }

    [Fact]
    public void TheConsoleLineIsMaskRcnnBenchmarksLogLine()
    {
        var line = ConsoleProgressWriter.Line(Progress(20, logged: true));
        Assert.Matches(new Regex(@"^iter 20/100  eta 0:00:40  loss: 1\.5000 \(1\.5000\)  loss_classifier: 0\.2500 \(0\.2500\)  " +
                                 @"lr 0\.005  time 0\.500s  data 0\.125s  mem \d+ MB$"), line);
    }

    [Fact]
    public void TheConsoleGetsLoggedLinesForGoodAndOnATerminalTheOthersInPlace()
    {
        var said = new List<string>();
        var console = new StringWriter();
        using (var file = new ConsoleProgressWriter(console, live: false, said.Add))
        {
            file.Write(Progress(19, logged: false));
            Assert.Equal("", console.ToString());
            Assert.Empty(said);
            file.Write(Progress(20, logged: true));
            Assert.StartsWith("iter 20/100  ", Assert.Single(said));
            Assert.Equal("", console.ToString()); // said once, through the run's log (console and log.txt)
        }
        using var terminal = new ConsoleProgressWriter(console, live: true, said.Add);
        terminal.Write(Progress(21, logged: false));
        Assert.StartsWith("\r\u001b[Kiter 21/100  ", console.ToString());
        Assert.DoesNotContain('\n', console.ToString());
        Assert.Single(said);
    }

    [Fact]
    public void MetricsJsonlGetsOneRecordPerLoggedIterationAppended()
    {
        using var dir = new TempDir();
        var path = dir.File(MetricsFileWriter.FileName, "{\"iteration\":10}\n"); // an earlier run's record stays
        using (var metrics = new MetricsFileWriter(dir.Path))
        {
            metrics.Write(Progress(19, logged: false));
            metrics.Write(Progress(20, logged: true));
        }
        Assert.Equal(["{\"iteration\":10}",
                      "{\"iteration\":20,\"lr\":0.005,\"loss\":1.5,\"loss_classifier\":0.25,\"time\":0.5,\"data\":0.125}"],
            File.ReadAllLines(path));
    }

    [Fact]
    public void TensorBoardGetsAnEventFileThatGrowsAtLoggedIterations()
    {
        using var dir = new TempDir();
        using var events = new TensorBoardWriter(dir.Path);
        var file = new FileInfo(Assert.Single(Directory.GetFiles(dir.Path, "events.out.tfevents*")));
        long empty = file.Length;
        events.Write(Progress(19, logged: false));
        file.Refresh();
        Assert.Equal(empty, file.Length);
        events.Write(Progress(20, logged: true));
        file.Refresh();
        Assert.True(file.Length > empty);
    }

    [Fact]
    public void LossPngIsDrawnAtTheEndFromMetricsJsonl()
    {
        using var dir = new TempDir();
        var png = Path.Combine(dir.Path, LossPlotWriter.FileName);
        var said = new List<string>();
        using (var plot = new LossPlotWriter(dir.Path, said.Add))
            plot.Finish(); // no metrics.jsonl (its writer left out): nothing to draw
        Assert.False(File.Exists(png));

        using (var metrics = new MetricsFileWriter(dir.Path))
        {
            metrics.Write(Progress(20, logged: true, loss: 2));
            metrics.Write(Progress(40, logged: true, loss: 1));
        }
        using (var plot = new LossPlotWriter(dir.Path, said.Add))
        {
            plot.Write(Progress(40, logged: true));
            Assert.False(File.Exists(png)); // only at the end
            plot.Finish();
        }
        var image = MaskRcnn.Data.ImageDecoder.Decode(png, int.MaxValue);
        Assert.Equal(new long[] { 3, 540, 900 }, image.shape);
        Assert.Empty(said);
    }

    [Fact]
    public void TheDefaultSetIsConsoleMetricsTensorBoardThenLossPlot()
    {
        using var dir = new TempDir();
        var writers = TrainingEventWriters.Default(dir.Path, new TrainingOptions(), new StringWriter(), _ => { });
        using var all = new TrainingEventWriters(writers);
        Assert.Equal([typeof(ConsoleProgressWriter), typeof(MetricsFileWriter), typeof(TensorBoardWriter), typeof(LossPlotWriter)],
            writers.Select(w => w.GetType()));
    }

    [Fact]
    public void TheSetPassesEverythingToEachWriterInOrder()
    {
        var calls = new List<string>();
        using (var all = new TrainingEventWriters([new RecordingWriter(calls, "a"), new RecordingWriter(calls, "b")]))
        {
            all.Write(Progress(1, logged: false));
            all.Finish();
        }
        Assert.Equal(["a.Write(1)", "b.Write(1)", "a.Finish", "b.Finish", "a.Dispose", "b.Dispose"], calls);
    }
}
