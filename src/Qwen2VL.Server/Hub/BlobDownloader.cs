using System.Net;
using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// Downloads one file into its cache blob: bytes gather in <c>blobs/{etag}.incomplete</c>, a later attempt (or
/// run) resumes it with a Range request, the content is checked against the etag, and only then is it renamed
/// to <c>blobs/{etag}</c>.
/// </summary>
internal sealed class BlobDownloader(HubClient client, HubSettings settings, ILogger logger)
{
    private const int BufferSize = 1 << 20;

    /// <summary>Makes <c>blobs/{etag}</c> hold the file, downloading what is missing; returns at once when it exists.</summary>
    public async Task DownloadAsync(HubRepoCache cache, string commit, HubFileMetadata file, DownloadProgress progress, CancellationToken cancellationToken)
    {
        string blob = cache.BlobPath(file.Etag);
        using var blobLock = await BlobLock.AcquireAsync(cache.BlobLockPath(file.Etag), $"{cache.Repo}/{file.FileName}", logger, cancellationToken).ConfigureAwait(false);
        if (File.Exists(blob))
        {
            // Another process finished it while this one waited for the lock.
            progress.Add(file.Size ?? 0);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        string incomplete = cache.IncompleteBlobPath(file.Etag);
        await settings.Retry.ExecuteAsync($"downloading {cache.Repo}/{file.FileName}",
            ct => DownloadAttemptAsync(cache.Repo, commit, file, incomplete, progress, ct), logger, cancellationToken).ConfigureAwait(false);
        File.Move(incomplete, blob, overwrite: true);
    }

    /// <summary>Bytes an earlier run left of this file, for the progress total.</summary>
    public static long PartialLength(HubRepoCache cache, HubFileMetadata file) =>
        new FileInfo(cache.IncompleteBlobPath(file.Etag)) is { Exists: true } info ? info.Length : 0;

    private async Task DownloadAttemptAsync(HubRepoId repo, string commit, HubFileMetadata file, string incomplete, DownloadProgress progress, CancellationToken cancellationToken)
    {
        long offset = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        if (file.Size is { } size && offset > size)
        {
            // More bytes than the file has: not a prefix of this file; start again.
            progress.Add(-offset);
            offset = 0;
            File.Delete(incomplete);
        }

        if (offset == 0 || offset != file.Size)
        {
            offset = await FetchAsync(repo, commit, file, incomplete, offset, progress, cancellationToken).ConfigureAwait(false);
        }

        await VerifyAsync(repo, commit, file, incomplete, offset, cancellationToken).ConfigureAwait(false);
    }

    // Appends the rest of the file from `offset`; returns the final length.
    private async Task<long> FetchAsync(HubRepoId repo, string commit, HubFileMetadata file, string incomplete, long offset, DownloadProgress progress, CancellationToken cancellationToken)
    {
        if (offset > 0)
        {
            HubLog.Resuming(logger, file.FileName, offset);
        }

        using var response = await client.GetFileAsync(repo, commit, file.FileName, offset, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The partial file is not shorter than the server's copy, so it is not a prefix of it: start again.
            File.Delete(incomplete);
            progress.Add(-offset);
            throw new HttpIOException(HttpRequestError.InvalidResponse, $"{response.RequestMessage?.RequestUri} answered 416 to a resume at byte {offset}; restarting from byte 0");
        }

        if (offset > 0 && response.StatusCode != HttpStatusCode.PartialContent)
        {
            HubLog.RangeIgnored(logger, file.FileName);
            progress.Add(-offset);
            offset = 0;
        }
        else if (offset > 0 && response.Content.Headers.ContentRange?.From != offset)
        {
            File.Delete(incomplete);
            progress.Add(-offset);
            throw new HttpIOException(HttpRequestError.InvalidResponse,
                $"{response.RequestMessage?.RequestUri} answered a range from byte {response.Content.Headers.ContentRange?.From} when byte {offset} was asked for; restarting from byte 0");
        }

        await using var output = new FileStream(incomplete, offset == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.Read, BufferSize, useAsync: true);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[BufferSize];
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            // A connection that stays open but sends nothing would otherwise hang the download forever.
            stall.CancelAfter(settings.StallTimeout);
            int read;
            try
            {
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{response.RequestMessage?.RequestUri} sent nothing for {settings.StallTimeout.TotalSeconds:F0} s at byte {offset}");
            }

            if (read == 0)
            {
                return offset;
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            offset += read;
            progress.Add(read);
        }
    }

    private async Task VerifyAsync(HubRepoId repo, string commit, HubFileMetadata file, string incomplete, long length, CancellationToken cancellationToken)
    {
        Uri url = client.ResolveUrl(repo, commit, file.FileName);
        if (file.Size is { } size && length != size)
        {
            // Shorter than announced with a clean end of stream: the connection was cut; the next attempt resumes.
            throw new HttpIOException(HttpRequestError.ResponseEnded, $"{url} ended after {length} of {size} bytes");
        }

        using var checksum = ContentChecksum.ForEtag(file.Etag, length);
        if (checksum is null)
        {
            HubLog.NoChecksum(logger, file.FileName, file.Etag);
            return;
        }

        // Hashing the finished file (instead of while streaming) keeps resumed and fresh downloads on one path;
        // it costs one sequential read of the file, small next to the download.
        await checksum.AppendFileAsync(incomplete, length, cancellationToken).ConfigureAwait(false);
        string actual = checksum.Finish();
        if (actual != checksum.Expected)
        {
            File.Delete(incomplete);
            throw new ChecksumMismatchException(file.FileName, url, $"{checksum.Algorithm} {checksum.Expected}", $"{checksum.Algorithm} {actual}");
        }
    }
}
