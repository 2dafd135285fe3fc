using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Media;

/// <summary>A Kestrel server on 127.0.0.1 with one endpoint per behaviour the fetcher must handle.</summary>
public sealed class MediaTestServer : IAsyncLifetime
{
    private WebApplication? _app;

    public static byte[] Png { get; } = File.ReadAllBytes(Path.Combine(TestPaths.Cases, "b1_100x60", "input0.png"));

    /// <summary>The first bytes of an MP4 (an ftyp box); enough for type detection.</summary>
    public static byte[] Mp4 { get; } = [0, 0, 0, 0x18, .. "ftypisom"u8, 0, 0, 2, 0, .. "isomiso2"u8, 0, 0, 0, 8, .. "free"u8];

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public Uri Url(string path) => new(BaseAddress, path);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/image.png", () => Results.Bytes(Png, "image/png"));
        app.MapGet("/untyped", () => Results.Bytes(Png, "application/octet-stream"));
        app.MapGet("/video.mp4", () => Results.Bytes(Mp4, "video/mp4"));
        app.MapGet("/page.html", () => Results.Content("<html><body>hello</body></html>", "text/html"));
        app.MapGet("/fake.png", () => Results.Bytes("<html>not an image</html>"u8.ToArray(), "image/png"));
        app.MapGet("/redirect/{hops:int}", (int hops) =>
            Results.Redirect(hops <= 1 ? "/image.png" : $"/redirect/{hops - 1}"));
        app.MapGet("/redirect-to", (string url) => Results.Redirect(url));
        app.MapGet("/big-declared", () => Results.Bytes(new byte[2_000_000], "image/png"));
        app.MapGet("/big-streamed", async (HttpContext context) =>
        {
            // No Content-Length: the limit must hold while streaming.
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(Png, context.RequestAborted);
            var block = new byte[64 * 1024];
            for (int i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(block, context.RequestAborted);
            }
        });
        app.MapGet("/slow", async (HttpContext context) =>
        {
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(Png.AsMemory(0, 16), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
        _app = app;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
