namespace Qwen2VL.Server.Hosting;

/// <summary>
/// TLS for both public ports (section <c>Qwen2VL:Tls</c>); off unless a certificate is configured. Either a PEM
/// certificate with its PEM key, or a PKCS#12 file (.pfx/.p12) holding both.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>A PEM certificate (chain), or a PKCS#12 file when <see cref="KeyPath"/> is empty.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of the PKCS#12 file or of an encrypted PEM key; best given as an environment variable.</summary>
    public string? Password { get; set; }

    /// <summary>Whether TLS is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
