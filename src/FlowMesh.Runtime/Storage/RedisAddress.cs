using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// Reads the Redis a cluster keeps its state in, written either as <c>redis://[[user:]password@]host[:port][/db]</c>
/// (<c>rediss://</c> for TLS) or as a StackExchange.Redis configuration string (<c>host:port,password=…</c>).
/// </summary>
internal static partial class RedisAddress
{
    public const int DefaultPort = 6379;

    /// <exception cref="RedisAddressException">The text is not a Redis address.</exception>
    public static ConfigurationOptions Parse(string address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new RedisAddressException("the Redis address is empty: expected redis://host:port[/db] or host:port[,password=…]");
        }

        var text = address.Trim();
        var options = text.Contains("://", StringComparison.Ordinal) ? ParseUrl(text) : ParseConfiguration(text);

        // A silo or agent that starts before Redis (or while it restarts) should keep retrying in the background rather
        // than fail its start; a configuration string that says abortConnect explicitly keeps its choice.
        if (!text.Contains("abortConnect", StringComparison.OrdinalIgnoreCase))
        {
            options.AbortOnConnectFail = false;
        }

        return options;
    }

    private static ConfigurationOptions ParseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw Invalid(text, "it is not a valid URL");
        }

        var tls = uri.Scheme switch
        {
            "redis" => false,
            "rediss" => true,
            _ => throw Invalid(text, $"the scheme '{uri.Scheme}' is not redis:// or rediss://"),
        };
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(text, "it names no host");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Invalid(text, "a query or fragment is not understood; use a configuration string for other settings");
        }

        var options = new ConfigurationOptions { Ssl = tls };
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        var host = uri.DnsSafeHost;
        if (IPAddress.TryParse(host, out var ip))
        {
            options.EndPoints.Add(new IPEndPoint(ip, port));
        }
        else
        {
            options.EndPoints.Add(host, port);
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                throw Invalid(text, $"the path '/{path}' is not a database number");
            }

            options.DefaultDatabase = database;
        }

        if (uri.UserInfo.Length > 0)
        {
            // As redis-cli reads it: "user:password", ":password", or a lone password.
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                options.Password = Uri.UnescapeDataString(uri.UserInfo);
            }
            else
            {
                var user = Uri.UnescapeDataString(uri.UserInfo[..colon]);
                options.User = user.Length > 0 ? user : null;
                options.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        return options;
    }

    private static ConfigurationOptions ParseConfiguration(string text)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new RedisAddressException($"'{Redact(text)}' is not a Redis address: {e.Message}", e);
        }

        if (options.EndPoints.Count == 0)
        {
            throw Invalid(text, "it names no host:port");
        }

        foreach (var endPoint in options.EndPoints)
        {
            // StackExchange.Redis takes any word as a host name; a typo here would otherwise surface only as a
            // connection timeout much later.
            if (endPoint is DnsEndPoint dns && Uri.CheckHostName(dns.Host) == UriHostNameType.Unknown)
            {
                throw Invalid(text, $"'{dns.Host}' is not a host name");
            }
        }

        return options;
    }

    private static RedisAddressException Invalid(string text, string reason) =>
        new($"'{Redact(text)}' is not a Redis address ({reason}); expected redis://host:port[/db] or host:port[,password=…]");

    /// <summary>The address with passwords replaced, fit for messages and logs.</summary>
    public static string Redact(string text)
    {
        var withoutUserInfo = UserInfo().Replace(text, "$1***@");
        return PasswordSetting().Replace(withoutUserInfo, "$1***");
    }

    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(password\s*=)[^,]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordSetting();
}
