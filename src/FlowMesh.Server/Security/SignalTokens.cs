using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FlowMesh.Server.Hosting;

namespace FlowMesh.Server.Security;

/// <summary>
/// Signal tokens: <c>fms1.BASE64URL(payload).BASE64URL(HMAC-SHA256(key, payload))</c>, the payload naming the key, the
/// workflow, the task, the gate and the expiry. The first configured key signs; later ones still verify until their
/// grace ends, so keys rotate without breaking tokens already handed out. Without configured keys a random key is
/// generated once and kept in the store, shared by every replica. Verification answers only "this scope" or "no":
/// a forged, expired, retired-key or malformed token all look the same to the caller.
/// </summary>
internal sealed class SignalTokens(ServerOptions options, StoreAccess stores, TimeProvider time)
{
    private const string Prefix = "fms1.";
    private readonly Lazy<IReadOnlyList<SignalKey>> _keys = new(() => Parse(options.SignalKeys) is { Count: > 0 } keys ? keys : [Generated(stores)]);

    /// <summary>The id of the key new tokens are signed with.</summary>
    public string CurrentKeyId => _keys.Value[0].Id;

    public string Issue(SignalScope scope)
    {
        var key = _keys.Value[0];
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload(key.Id, scope.WorkflowId, scope.Task, scope.Gate, scope.ExpiresAt.ToUnixTimeSeconds(),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))));
        return Prefix + Base64Url(payload) + "." + Base64Url(HMACSHA256.HashData(key.Secret, payload));
    }

    /// <summary>The scope a genuine, unexpired token grants, or null for anything else.</summary>
    public SignalScope? Verify(string? token)
    {
        if (token is null || token.Length > 4096 || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = token[Prefix.Length..].Split('.');
        if (parts.Length != 2 || FromBase64Url(parts[0]) is not { } payload || FromBase64Url(parts[1]) is not { } mac)
        {
            return null;
        }

        Payload? claims;
        try
        {
            claims = JsonSerializer.Deserialize<Payload>(payload);
        }
        catch (JsonException)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var key = claims is null ? null : _keys.Value.FirstOrDefault(k => k.Id == claims.K);

        // Check the MAC before anything it vouches for, with a comparison that takes the same time wherever it differs.
        if (key is null || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key.Secret, payload), mac) || (key.ValidUntil is { } until && until <= now))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(claims!.E);
        return expires > now && claims.W is not null && claims.T is not null ? new SignalScope(claims.W, claims.T, claims.G, expires) : null;
    }

    /// <summary>Parses <c>ID=BASE64[@UNTIL],…</c> (UNTIL an ISO 8601 time): the first key signs, the others verify until UNTIL.</summary>
    public static IReadOnlyList<SignalKey> Parse(string? text)
    {
        var keys = new List<SignalKey>();
        foreach (var item in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"signal key '{Shown(item)}' must look like ID=BASE64SECRET[@VALID-UNTIL]");
            }

            var id = item[..eq];
            var rest = item[(eq + 1)..];
            DateTimeOffset? until = null;
            var at = rest.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                if (!DateTimeOffset.TryParse(rest[(at + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    throw new ArgumentException($"signal key {id}: '{rest[(at + 1)..]}' is not a time (use ISO 8601, e.g. 2026-12-31T00:00:00Z)");
                }

                until = parsed;
                rest = rest[..at];
            }

            byte[] secret;
            try
            {
                secret = Convert.FromBase64String(rest);
            }
            catch (FormatException)
            {
                throw new ArgumentException($"signal key {id}: the secret is not base64");
            }

            if (secret.Length < 32)
            {
                throw new ArgumentException($"signal key {id}: the secret must be at least 32 bytes (openssl rand -base64 32)");
            }

            if (keys.Any(k => k.Id == id))
            {
                throw new ArgumentException($"signal key {id} is listed twice");
            }

            keys.Add(new SignalKey(id, secret, until));
        }

        if (keys.Count > 0 && keys[0].ValidUntil is not null)
        {
            throw new ArgumentException($"signal key {keys[0].Id} signs new tokens, so it cannot have a valid-until time; list the new key first");
        }

        return keys;
    }

    private static string Shown(string item) => item.Length > 12 ? item[..12] + "…" : item;

    private static SignalKey Generated(StoreAccess stores)
    {
        using var store = stores.Open();
        var secret = store.GetOrAddMeta("signal_key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return new SignalKey("store", Convert.FromBase64String(secret), null);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed record Payload(string K, string? W, string? T, int G, long E, string N);
}
