using MaskRcnn.Cli;

namespace MaskRcnn.Tests.Cli;

/// <summary>The tool run in-process as a user runs it: its exit code and what it wrote to stdout and stderr, with
/// "\n" line endings on every platform.</summary>
static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = MaskRcnnCommandLine.Run(args, stdout, stderr);
        return (code, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString().ReplaceLineEndings("\n"));
    }
}
