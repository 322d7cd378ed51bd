using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MaskRcnn.Tests.Cli;

/// <summary>maskrcnn run as users run it: its own process, output read line by line as it comes.</summary>
public sealed class ToolProcess : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2); // a busy 2-core machine

    readonly Process process;
    readonly ConcurrentQueue<string> lines = new();
    readonly ConcurrentQueue<string> errors = new();

    ToolProcess(Process process) => this.process = process;

    public int Pid => process.Id;
    public string Output => string.Join("\n", lines);
    public string Errors => string.Join("\n", errors);

    /// <param name="launcher">A command the tool runs under, e.g. <c>mpiexec -n 2</c>.</param>
    public static ToolProcess Start(string[] args, string[]? launcher = null)
    {
        // Through env --default-signal=INT: a test run started in the background of a non-interactive shell (`cmd &`,
        // nohup, many CI runners) inherits SIGINT ignored, and .NET, like any Unix program, leaves an ignored SIGINT
        // ignored, so the tool would never see the Ctrl-C this test sends. A user at a terminal has it at its default.
        var start = new ProcessStartInfo(launcher is { Length: > 0 } ? launcher[0] : "env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in launcher?.Skip(1) ?? []) start.ArgumentList.Add(arg);
        if (launcher is { Length: > 0 }) start.ArgumentList.Add("env");
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "maskrcnn.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        var tool = new ToolProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) tool.lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) tool.errors.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tool;
    }

    public void WaitFor(Func<string, bool> line)
    {
        var clock = Stopwatch.StartNew();
        while (!lines.Any(line))
        {
            if (process.HasExited || clock.Elapsed > Patience)
                Assert.Fail($"no such line from maskrcnn (exited: {process.HasExited}); output:\n{Output}\nerrors:\n{Errors}");
            Thread.Sleep(50);
        }
    }

    public void Signal(int signal)
    {
        if (OperatingSystem.IsWindows()) Assert.Fail("POSIX signals only"); // the suite runs on Linux (see README, Builds)
        Assert.Equal(0, SendSignal(process.Id, signal));
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);

    public void Kill() => process.Kill();

    public int WaitForExit()
    {
        if (!process.WaitForExit(Patience)) Assert.Fail($"maskrcnn did not exit; output:\n{Output}");
        process.WaitForExit(); // the output's last lines
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill();
        process.Dispose();
    }
}
