using FlowMesh.Engine.Runtime;
using FlowMesh.Server.Api;

namespace FlowMesh.Server.Cluster;

/// <summary>
/// Carries an engine failure across the inbox as the same exception type on the sender's side, so a route maps it to the
/// same answer whichever replica the request reached.
/// </summary>
internal static class InboxFailure
{
    public static (string Failure, int Status) Encode(Exception ex) => ex switch
    {
        _ when Engine.Store.FlowMeshStore.IsTransient(ex) => ($"unavailable:{ex.Message}", 503),
        KeyNotFoundException => ($"not_found:{ex.Message}", 404),
        StaleEpochException => ($"stale_epoch:{ex.Message}", 409),
        ArgumentException => ($"invalid:{ex.Message}", 400),
        InvalidOperationException => ($"conflict:{ex.Message}", 409),
        _ => ($"error:{ex.Message}", 500),
    };

    public static Exception Decode(string failure, int status)
    {
        var colon = failure.IndexOf(':', StringComparison.Ordinal);
        var (kind, message) = colon < 0 ? ("error", failure) : (failure[..colon], failure[(colon + 1)..]);
        return kind switch
        {
            "not_found" => new KeyNotFoundException(message),
            "stale_epoch" => new StaleEpochException(message),
            "invalid" => new ArgumentException(message),
            "conflict" => new InvalidOperationException(message),
            "unavailable" => new ApiException(503, "store_unavailable", $"the cluster's leader could not commit this command, retry shortly: {message}")
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            },
            _ => new ApiException(status is >= 400 and < 600 ? status : 500, "leader_failed", $"the cluster's leader failed the command: {message}"),
        };
    }
}
