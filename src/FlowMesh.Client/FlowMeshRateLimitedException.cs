using FlowMesh.Client.Models;

namespace FlowMesh.Client;

/// <summary>429: the tenant's rate limit is spent; wait <see cref="RetryAfter"/> before trying again.</summary>
/// <param name="problem">The server's answer.</param>
/// <param name="retryAfter">The server's Retry-After.</param>
public sealed class FlowMeshRateLimitedException(ApiProblem problem, TimeSpan retryAfter) : FlowMeshException(problem)
{
    /// <summary>How long to wait.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
