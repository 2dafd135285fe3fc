using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Qwen2VL.Server.Hosting;

/// <summary>Loads the server certificate that <see cref="TlsOptions"/> names, failing at startup with what is wrong.</summary>
public static class TlsCertificateLoader
{
    /// <exception cref="InvalidOperationException">A file is missing or unreadable, or the certificate has no private key.</exception>
    public static X509Certificate2 Load(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string certificatePath = options.CertificatePath ?? throw new InvalidOperationException("Qwen2VL:Tls:CertificatePath is not set");
        RequireFile(certificatePath, "CertificatePath");
        X509Certificate2 certificate;
        try
        {
            if (string.IsNullOrWhiteSpace(options.KeyPath))
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, options.Password);
            }
            else
            {
                RequireFile(options.KeyPath, "KeyPath");
                certificate = string.IsNullOrEmpty(options.Password)
                    ? X509Certificate2.CreateFromPemFile(certificatePath, options.KeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, options.Password, options.KeyPath);
            }
        }
        catch (CryptographicException e)
        {
            string form = string.IsNullOrWhiteSpace(options.KeyPath) ? "a PKCS#12 file (no KeyPath given)" : "a PEM certificate with its PEM key";
            throw new InvalidOperationException($"cannot load the TLS certificate '{certificatePath}' as {form}: {e.Message}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"the TLS certificate '{certificatePath}' has no private key");
        }

        return certificate;
    }

    private static void RequireFile(string path, string setting)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Qwen2VL:Tls:{setting} '{path}' does not exist");
        }
    }
}
