using System.Security.Cryptography;
using System.Text.Json;

namespace FlowMesh.Tests.Support;

/// <summary>
/// Makes signal tokens the way a holder of a signing key would (the documented format: fms1.PAYLOAD.HMAC, base64url),
/// so tests can present tokens signed by rotated or retired keys, or for scopes the server never issued.
/// </summary>
internal static class SignalTokenForge
{
    public static string Make(string keyId, byte[] secret, string workflowId, string task, int gate, DateTimeOffset expires)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { K = keyId, W = workflowId, T = task, G = gate, E = expires.ToUnixTimeSeconds(), N = "0011223344556677" });
        return "fms1." + B64(payload) + "." + B64(HMACSHA256.HashData(secret, payload));
    }

    public static byte[] Secret(byte fill) => Enumerable.Repeat(fill, 32).ToArray();

    public static string Config(string id, byte fill, DateTimeOffset? until = null) =>
        $"{id}={Convert.ToBase64String(Secret(fill))}{(until is { } u ? "@" + u.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : string.Empty)}";

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
