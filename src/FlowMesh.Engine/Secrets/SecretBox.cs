using System.Security.Cryptography;
using System.Text;

namespace FlowMesh.Engine.Secrets;

/// <summary>
/// Encrypts tenants' secrets with AES-256-GCM under keys from configuration (<c>ID=BASE64,…</c>: the first key
/// encrypts, every listed key decrypts, so a key can be rotated in and the old one kept until secrets are written
/// again). The tenant and the secret's name are authenticated with the ciphertext, so a row copied to another
/// tenant or name does not decrypt.
/// </summary>
public sealed class SecretBox
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly IReadOnlyList<(string Id, byte[] Key)> _keys;

    private SecretBox(IReadOnlyList<(string Id, byte[] Key)> keys) => _keys = keys;

    /// <summary>A box for the keys in <paramref name="text"/>, or null when none are configured.</summary>
    /// <exception cref="ArgumentException">A key is not <c>ID=BASE64</c> of 32 bytes, or an id repeats.</exception>
    public static SecretBox? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var keys = new List<(string, byte[])>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            byte[] key;
            try
            {
                key = eq > 0 ? Convert.FromBase64String(part[(eq + 1)..]) : [];
            }
            catch (FormatException)
            {
                key = [];
            }

            if (eq <= 0 || key.Length != 32)
            {
                throw new ArgumentException("FLOWMESH_SECRET_KEYS: each key is ID=BASE64 of 32 random bytes (openssl rand -base64 32), comma-separated, the first one encrypting");
            }

            var id = part[..eq];
            if (keys.Any(k => k.Item1 == id))
            {
                throw new ArgumentException($"FLOWMESH_SECRET_KEYS: key id '{id}' appears twice");
            }

            keys.Add((id, key));
        }

        return keys.Count == 0 ? null : new SecretBox(keys);
    }

    public (string KeyId, string Nonce, string Ciphertext) Encrypt(string tenant, string name, string value)
    {
        var (id, key) = _keys[0];
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[plain.Length + TagBytes];
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), Context(tenant, name));
        }

        return (id, Convert.ToBase64String(nonce), Convert.ToBase64String(sealedBytes));
    }

    /// <exception cref="CryptographicException">The key is not configured, or the row was altered or moved.</exception>
    public string Decrypt(string tenant, string name, string keyId, string nonce, string ciphertext)
    {
        var key = _keys.FirstOrDefault(k => k.Id == keyId).Key
            ?? throw new CryptographicException($"secret '{name}' was encrypted with key '{keyId}', which FLOWMESH_SECRET_KEYS no longer lists");
        var sealedBytes = Convert.FromBase64String(ciphertext);
        var plain = new byte[sealedBytes.Length - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(Convert.FromBase64String(nonce), sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), plain, Context(tenant, name));
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] Context(string tenant, string name) => Encoding.UTF8.GetBytes($"flowmesh-secret\n{tenant}\n{name}");
}
