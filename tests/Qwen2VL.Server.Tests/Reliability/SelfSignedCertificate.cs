using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>A certificate for 127.0.0.1 and localhost made in the test, written as PEM pair and as PKCS#12.</summary>
public sealed class SelfSignedCertificate : IDisposable
{
    public const string PfxPassword = "test-pfx-password";

    private readonly string _folder = Directory.CreateTempSubdirectory("tls-test-").FullName;

    public SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        Thumbprint = certificate.Thumbprint;
        CertificatePath = Path.Combine(_folder, "server.crt");
        KeyPath = Path.Combine(_folder, "server.key");
        PfxPath = Path.Combine(_folder, "server.pfx");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(PfxPath, certificate.Export(X509ContentType.Pfx, PfxPassword));
    }

    public string Thumbprint { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public string PfxPath { get; }

    /// <summary>A handler that trusts exactly this certificate.</summary>
    public HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == Thumbprint,
    };

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
