using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// An exclusive lock on one blob across processes: pipeline stages on one node share the cache and may ask for the
/// same shard at once. The lock file is opened without sharing, which .NET maps to an advisory flock on Unix, the
/// same lock Python's filelock takes on the same path.
/// </summary>
internal sealed class BlobLock : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly FileStream _handle;

    private BlobLock(FileStream handle) => _handle = handle;

    /// <summary>Waits until this process holds the lock at <paramref name="path"/>.</summary>
    public static async Task<BlobLock> AcquireAsync(string path, string description, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        bool waited = false;
        while (true)
        {
            try
            {
                return new BlobLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (File.Exists(path))
            {
                if (!waited)
                {
                    HubLog.WaitingForLock(logger, description, path);
                    waited = true;
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
