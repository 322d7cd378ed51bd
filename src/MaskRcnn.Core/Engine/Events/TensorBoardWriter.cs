using TorchSharp;

namespace MaskRcnn.Engine.Events;

/// <summary>TensorBoard event files in <c>OUTPUT_DIR</c>, for <c>tensorboard --logdir OUTPUT_DIR</c>: at each logged
/// iteration every meter's window median and the learning rate. The event file is created with the writer.</summary>
public sealed class TensorBoardWriter(string outputDir) : ITrainingEventWriter
{
    readonly TorchSharp.Modules.SummaryWriter events = torch.utils.tensorboard.SummaryWriter(outputDir);

    public void Write(TrainingProgress progress)
    {
        if (!progress.Logged) return;
        int step = (int)progress.Iteration;
        foreach (var (name, meter) in progress.Meters.Meters) events.add_scalar(name, (float)meter.Median, step);
        events.add_scalar("lr", (float)progress.LearningRate, step);
    }

    public void Finish() { }

    // TorchSharp's SummaryWriter opens and closes its file on every event: nothing stays open.
    public void Dispose() { }
}
