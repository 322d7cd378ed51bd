using MaskRcnn.Config;

namespace MaskRcnn.Checkpoint;

/// <summary>What OUTPUT_DIR holds stops the command before it changes anything there: a <c>last_checkpoint</c> that
/// cannot be followed, a checkpoint of another model, another training process. The user's to settle, like a bad
/// config (exit code 2); the message names the file and what to do.</summary>
public sealed class RunStateException(string message) : ConfigException(message);
