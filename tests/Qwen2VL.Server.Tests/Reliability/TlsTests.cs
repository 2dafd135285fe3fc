using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Qwen2VL.Api.V1;
using Qwen2VL.Server.Hosting;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>TLS on both public ports, with a certificate made in the test. The servers run gateway and silo without a model.</summary>
public sealed class TlsTests : IDisposable
{
    private const string Key = "sk-tls-tenant-key";

    private readonly SelfSignedCertificate _certificate = new();

    [Fact]
    public async Task PemCertificate_BothPorts_ServeHttpsAndGrpcOverTls()
    {
        var (http, grpc) = (FreePort(), FreePort());
        await using var app = await StartAsync(http, grpc, new()
        {
            ["Qwen2VL:Tls:CertificatePath"] = _certificate.CertificatePath,
            ["Qwen2VL:Tls:KeyPath"] = _certificate.KeyPath,
        });
        using var client = new HttpClient(_certificate.TrustingHandler()) { BaseAddress = new Uri($"https://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", Key);

        using var live = await client.GetAsync("/health/live");
        using var models = await client.GetAsync("/v1/models");
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{grpc}", new GrpcChannelOptions { HttpHandler = _certificate.TrustingHandler() });
        var sessions = await new ChatService.ChatServiceClient(channel).ListSessionsAsync(new ListSessionsRequest(),
            new Metadata { { "authorization", $"Bearer {Key}" } }, DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Empty(sessions.Sessions);
    }

    [Fact]
    public async Task PfxCertificate_HttpPort_ServesHttpsAndRefusesPlaintext()
    {
        var (http, grpc) = (FreePort(), FreePort());
        await using var app = await StartAsync(http, grpc, new()
        {
            ["Qwen2VL:Tls:CertificatePath"] = _certificate.PfxPath,
            ["Qwen2VL:Tls:Password"] = SelfSignedCertificate.PfxPassword,
        });
        using var secure = new HttpClient(_certificate.TrustingHandler()) { Timeout = TimeSpan.FromSeconds(10) };
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var live = await secure.GetAsync($"https://127.0.0.1:{http}/health/live");
        var refused = await Record.ExceptionAsync(() => plain.GetAsync($"http://127.0.0.1:{http}/health/live"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.IsType<HttpRequestException>(refused);
    }

    [Fact]
    public void Load_MissingKeyFile_NamesTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificateLoader.Load(new TlsOptions
        {
            CertificatePath = _certificate.CertificatePath,
            KeyPath = _certificate.KeyPath + ".missing",
        }));

        Assert.Contains("Qwen2VL:Tls:KeyPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PfxWithWrongPassword_SaysWhatItTriedToLoad()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificateLoader.Load(new TlsOptions
        {
            CertificatePath = _certificate.PfxPath,
            Password = "wrong",
        }));

        Assert.Contains("PKCS#12", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _certificate.Dispose();

    private static async Task<WebApplication> StartAsync(int http, int grpc, Dictionary<string, string?> tls)
    {
        var settings = new Dictionary<string, string?>(tls)
        {
            ["Qwen2VL:Role"] = "gateway,silo",
            ["Qwen2VL:ServedModelName"] = "tiny",
            ["Qwen2VL:HttpPort"] = http.ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:GrpcPort"] = grpc.ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:ApiKeys:0"] = $"tenant-tls:{Key}",
            ["Logging:LogLevel:Default"] = "None",
        };
        var app = ServerHost.Build(Array.Empty<string>(), settings);
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
