using System.Security.Cryptography;
using System.Text;

namespace FlowMesh.Server.Security;

/// <summary>
/// Token format <c>fmk_&lt;id&gt;_&lt;secret&gt;</c>: the id finds the key row, the secret is checked against its SHA-256
/// hash in constant time. Secrets are 32 random bytes, so a fast hash is enough; the secret itself is never stored.
/// </summary>
internal static class ApiKeys
{
    private const string Prefix = "fmk_";

    public static (string Id, string Token, string Hash) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"{Prefix}{id}_{secret}", Hash(secret));
    }

    /// <summary>A token given from outside (a deployment's Secret): its id and the hash of its secret, or null if malformed.</summary>
    public static (string Id, string Hash)? FromGiven(string token) => TryParse(token.Trim(), out var id, out var secret) && secret.Length >= 16 ? (id, Hash(secret)) : null;

    public static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = string.Empty;
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return false;
        }

        var rest = token.AsSpan(Prefix.Length);
        var sep = rest.IndexOf('_');
        if (sep != 12)
        {
            return false;
        }

        id = rest[..sep].ToString();
        secret = rest[(sep + 1)..].ToString();
        return secret.Length > 0;
    }

    public static bool Matches(string secret, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(hash));

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
