using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Tests.Hub;

/// <summary>
/// A local stand-in for the hub, serving one folder as one repo the way the hub does: the model API with the
/// file list and a commit sha, resolve URLs with ETag and X-Repo-Commit, and for .safetensors (LFS) files a 302
/// carrying X-Linked-Etag (sha256) and X-Linked-Size to a "CDN" on a second port that serves Range requests.
/// </summary>
public sealed class FakeHub : IAsyncDisposable
{
    /// <summary>The commit sha every revision of the fake repo resolves to.</summary>
    public const string CommitSha = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";

    /// <summary>A tag that exists besides main.</summary>
    public const string Tag = "v1.0";

    private readonly WebApplication _app;
    private readonly Dictionary<string, ServedFile> _files;
    private readonly string _repo;
    private readonly string? _requiredToken;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _hubPort;
    private int _cdnPort;

    private FakeHub(WebApplication app, Dictionary<string, ServedFile> files, string repo, string? requiredToken)
    {
        _app = app;
        _files = files;
        _repo = repo;
        _requiredToken = requiredToken;
    }

    /// <summary>The hub's base address (HF_ENDPOINT).</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{_hubPort}");

    /// <summary>Switchable failures.</summary>
    public FakeHubFaults Faults { get; } = new();

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The sha256 (hex) of a served file.</summary>
    public string Sha256Of(string fileName) => _files[fileName].Sha256;

    /// <summary>Starts serving <paramref name="folder"/> as <paramref name="repo"/>; with a token, requests without it get 401.</summary>
    public static async Task<FakeHub> StartAsync(string folder, string repo = "test-org/tiny-qwen2vl", string? requiredToken = null)
    {
        var files = Directory.EnumerateFiles(folder).ToDictionary(path => Path.GetFileName(path), ServedFile.Load, StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var hub = new FakeHub(app, files, repo, requiredToken);
        app.Use(hub.RecordAsync);
        app.MapGet("/api/models/{owner}/{name}/revision/{revision}", hub.RevisionAsync);
        app.MapMethods("/{owner}/{name}/resolve/{revision}/{**file}", ["GET", "HEAD"], hub.ResolveAsync);
        app.MapGet("/cdn/{sha256}", hub.CdnAsync);
        await app.StartAsync();

        int[] ports = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Select(address => new Uri(address).Port)];
        hub._hubPort = ports[0];
        hub._cdnPort = ports[1];
        return hub;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        _requests.Enqueue(new RecordedRequest(request.Method, context.Connection.LocalPort, request.Path.Value ?? string.Empty,
            request.Headers.Range.FirstOrDefault(), request.Headers.Authorization.FirstOrDefault()));
        await next(context);
    }

    private Task RevisionAsync(HttpContext context, string owner, string name, string revision)
    {
        if (RefuseHubRequest(context, $"{owner}/{name}", revision))
        {
            return Task.CompletedTask;
        }

        return context.Response.WriteAsJsonAsync(new
        {
            id = _repo,
            sha = CommitSha,
            siblings = _files.Keys.Order(StringComparer.Ordinal).Select(file => new { rfilename = file }),
        });
    }

    private async Task ResolveAsync(HttpContext context, string owner, string name, string revision, string file)
    {
        if (RefuseHubRequest(context, $"{owner}/{name}", revision))
        {
            return;
        }

        if (!_files.TryGetValue(file, out var served))
        {
            Error(context, HttpStatusCode.NotFound, "EntryNotFound", "Entry not found");
            return;
        }

        context.Response.Headers["X-Repo-Commit"] = CommitSha;
        if (served.IsLfs)
        {
            // As the hub does for LFS files: the checksum and size ride on the redirect to the CDN.
            context.Response.Headers.ETag = $"\"{served.GitSha1}\"";
            context.Response.Headers["X-Linked-Etag"] = $"\"{served.Sha256}\"";
            context.Response.Headers["X-Linked-Size"] = served.Content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Redirect($"http://127.0.0.1:{_cdnPort}/cdn/{served.Sha256}");
            return;
        }

        context.Response.Headers.ETag = $"\"{served.GitSha1}\"";
        await ServeAsync(context, served.Content, allowFaults: false);
    }

    private async Task CdnAsync(HttpContext context, string sha256)
    {
        var served = _files.Values.FirstOrDefault(file => file.Sha256 == sha256);
        if (served is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        byte[] content = served.Content;
        if (Faults.CorruptContent)
        {
            content = (byte[])content.Clone();
            content[content.Length / 2] ^= 0xFF;
        }

        context.Response.Headers.ETag = $"\"{sha256}\"";
        await ServeAsync(context, content, allowFaults: true);
    }

    private async Task ServeAsync(HttpContext context, byte[] content, bool allowFaults)
    {
        long start = 0;
        string? range = context.Request.Headers.Range.FirstOrDefault();
        if (range is not null && !(allowFaults && Faults.IgnoreRange))
        {
            start = long.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                context.Response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                return;
            }

            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }

        context.Response.Headers.AcceptRanges = "bytes";
        context.Response.ContentLength = content.Length - start;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        long cut = allowFaults ? Faults.TakeCut() : -1;
        if (cut >= 0)
        {
            // Send a prefix, then drop the connection mid-body as a broken network would.
            await context.Response.Body.WriteAsync(content.AsMemory((int)start, (int)Math.Min(cut, content.Length - start)));
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(content.AsMemory((int)start));
    }

    // Applies the checks the hub makes before serving anything: injected 503s, token, repo and revision.
    private bool RefuseHubRequest(HttpContext context, string repo, string revision)
    {
        if (Faults.TakeServerError())
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return true;
        }

        if (_requiredToken is not null && context.Request.Headers.Authorization.FirstOrDefault() != $"Bearer {_requiredToken}")
        {
            Error(context, HttpStatusCode.Unauthorized, "RepoNotFound", "Invalid credentials in Authorization header");
            return true;
        }

        if (repo != _repo)
        {
            Error(context, HttpStatusCode.NotFound, "RepoNotFound", "Repository not found");
            return true;
        }

        if (revision is not ("main" or Tag or CommitSha))
        {
            Error(context, HttpStatusCode.NotFound, "RevisionNotFound", $"Invalid rev id: {revision}");
            return true;
        }

        return false;
    }

    private static void Error(HttpContext context, HttpStatusCode status, string code, string message)
    {
        context.Response.StatusCode = (int)status;
        context.Response.Headers["X-Error-Code"] = code;
        context.Response.Headers["X-Error-Message"] = message;
    }

    private sealed record ServedFile(byte[] Content, string Sha256, string GitSha1, bool IsLfs)
    {
        public static ServedFile Load(string path)
        {
            byte[] content = File.ReadAllBytes(path);
            byte[] gitHeader = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
#pragma warning disable CA5350 // git names blobs by sha1
            string gitSha1 = Convert.ToHexStringLower(SHA1.HashData([.. gitHeader, .. content]));
#pragma warning restore CA5350
            return new ServedFile(content, Convert.ToHexStringLower(SHA256.HashData(content)), gitSha1,
                path.EndsWith(".safetensors", StringComparison.Ordinal));
        }
    }
}
