using System.Runtime.InteropServices;

namespace MaskRcnn.Cli;

/// <summary>
/// How train, eval and predict stop when asked: SIGINT (Ctrl-C), SIGTERM (what docker, Kubernetes and Slurm send before
/// they kill) and SIGQUIT all request a clean stop (<see cref="Token"/>), announced on one line; the same signal again
/// ends the process at once. A stopped run exits with 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), as
/// a shell reports a process ended by it, so a scheduler never mistakes it for a finished job.
/// </summary>
sealed class StopSignals : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly List<PosixSignalRegistration> registrations = [];
    readonly TextWriter stdout;
    readonly string whatHappens;
    PosixSignal? received;

    /// <param name="whatHappens">What the command does on the request, e.g. "stopping after this iteration".</param>
    public StopSignals(TextWriter stdout, string whatHappens)
    {
        this.stdout = stdout;
        this.whatHappens = whatHappens;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // Windows has no SIGQUIT; the others map to its console events.
            }
        }
    }

    public CancellationToken Token => source.Token;

    public bool Stopped => received is not null;

    /// <summary>The signal that stopped the run, as the user knows it.</summary>
    public string SignalName => received switch
    {
        PosixSignal.SIGINT => "Ctrl-C",
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGQUIT => "SIGQUIT",
        _ => "a signal",
    };

    public int ExitCode => 128 + received switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };

    void OnSignal(PosixSignalContext context)
    {
        lock (source)
        {
            if (received is not null) return; // the second request: the default action ends the process
            received = context.Signal;
            context.Cancel = true;
        }
        var again = received == PosixSignal.SIGINT ? "Ctrl-C again" : $"{SignalName} again";
        stdout.WriteLine($"\n{SignalName}: {whatHappens} ({again} to abort)");
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
